import { z } from 'zod';
import { env, loadConfig } from '@ttelgo/runtime';

export const OrderConfigSchema = z
  .object({
    DATABASE_URL: env.url('postgresql://postgres@127.0.0.1:5432/postgres'),
    /** Connections per Postgres pool of this process (it has at most two: Prisma's and the node-postgres write path). */
    DB_POOL_MAX: env.int(10, 1, 200),
    DB_SCHEMA: env.string('orders').pipe(z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case Postgres identifier')),
    AMQP_URL: env.url('amqp://guest:guest@127.0.0.1:5672'),
    OPS_PORT: env.port(9102),
    LOG_LEVEL: env.string('info'),
    /** Timeout of our calls to esim-provisioning, payment and vendor-billing; the gateway's own timeout must be longer. */
    RPC_TIMEOUT_MS: env.int(5000, 100, 120_000),
    /** An order unpaid for this long is CANCELLED and its PaymentIntent cancelled (30 min: docs/architecture.md#b2c-purchase). */
    ORDER_PAYMENT_TIMEOUT_MS: env.int(30 * 60_000, 1000),
    EXPIRY_SWEEP_INTERVAL_MS: env.int(60_000, 100),
    ORDER_RECONCILE_INTERVAL_MS: env.int(10 * 60_000, 100),
    /** An order waiting on another service (provisioning, a refund, a B2B hold, capture or release) this long is re-driven. */
    ORDER_STUCK_AFTER_MS: env.int(10 * 60_000, 1000),
    /**
     * How long place-order may trust a vendor's cached status and markup (billing.get-vendor.v1); at most 5000, as in
     * the gateway. billing.vendor-changed.v1 drops an entry at once; 0 asks vendor-billing on every order.
     */
    VENDOR_CACHE_TTL_MS: env.int(2000, 0, 5000),
    /** How long place-order may trust a cached bundle price (esim.get-bundle.v1); esim.catalogue-updated.v1 drops them at once. */
    BUNDLE_PRICE_CACHE_TTL_MS: env.int(30_000, 0, 3_600_000),
    /** How long a reseller's quote (order.create-quote.v1) is valid: 10 minutes. */
    QUOTE_VALIDITY_MS: env.int(600_000, 1000, 86_400_000),
    /** A reseller may cancel an unused order within eSIM Go's refund period: 60 days from purchase, as eSIM Go documents. */
    CANCELLATION_WINDOW_DAYS: env.int(60, 0, 3650),
  })
  .transform((c) => ({
    databaseUrl: c.DATABASE_URL,
    schema: c.DB_SCHEMA,
    dbPoolMax: c.DB_POOL_MAX,
    amqpUrl: c.AMQP_URL,
    opsPort: c.OPS_PORT,
    logLevel: c.LOG_LEVEL,
    rpcTimeoutMs: c.RPC_TIMEOUT_MS,
    paymentTimeoutMs: c.ORDER_PAYMENT_TIMEOUT_MS,
    expirySweepIntervalMs: c.EXPIRY_SWEEP_INTERVAL_MS,
    reconcileIntervalMs: c.ORDER_RECONCILE_INTERVAL_MS,
    stuckAfterMs: c.ORDER_STUCK_AFTER_MS,
    vendorCacheTtlMs: c.VENDOR_CACHE_TTL_MS,
    bundlePriceCacheTtlMs: c.BUNDLE_PRICE_CACHE_TTL_MS,
    quoteValidityMs: c.QUOTE_VALIDITY_MS,
    cancellationWindowMs: c.CANCELLATION_WINDOW_DAYS * 86_400_000,
  }));

export type OrderConfig = z.infer<typeof OrderConfigSchema>;

/** Validates the environment at start; a ConfigError lists every bad variable. */
export function loadOrderConfig(environment: NodeJS.ProcessEnv = process.env): OrderConfig {
  return loadConfig(OrderConfigSchema, environment);
}
