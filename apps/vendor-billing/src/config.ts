import { z } from 'zod';
import { env, loadConfig } from '@ttelgo/runtime';

export const VendorBillingConfigSchema = z
  .object({
    DATABASE_URL: env.url('postgresql://postgres@127.0.0.1:5432/postgres'),
    DB_SCHEMA: env.string('billing').pipe(z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case Postgres identifier')),
    AMQP_URL: env.url('amqp://guest:guest@127.0.0.1:5672'),
    OPS_PORT: env.port(9104),
    LOG_LEVEL: env.string('info'),
    /** Timeout of our call to payment (top-ups); the gateway's own timeout must be longer. */
    RPC_TIMEOUT_MS: env.int(5000, 100, 120_000),
    /** Markup of a vendor onboarded without one, in percent (vendor price = cost + markup: docs/architecture.md#money). */
    VENDOR_DEFAULT_MARKUP_PERCENT: env.int(15, 0, 1000),
    VENDOR_DEFAULT_RATE_LIMIT_PER_MINUTE: env.int(600, 1, 100_000),
    RETENTION_INTERVAL_MS: env.int(3_600_000, 1000),
    /** Concurrent funds commands per replica: each holds a pooled connection for its transaction. */
    FUNDS_PREFETCH: env.int(20, 1, 500),
    DB_POOL_MAX: env.int(20, 2, 200),
  })
  .transform((c) => ({
    databaseUrl: c.DATABASE_URL,
    schema: c.DB_SCHEMA,
    amqpUrl: c.AMQP_URL,
    opsPort: c.OPS_PORT,
    logLevel: c.LOG_LEVEL,
    rpcTimeoutMs: c.RPC_TIMEOUT_MS,
    vendorDefaults: { markupBps: c.VENDOR_DEFAULT_MARKUP_PERCENT * 100, rateLimitPerMinute: c.VENDOR_DEFAULT_RATE_LIMIT_PER_MINUTE },
    retentionIntervalMs: c.RETENTION_INTERVAL_MS,
    fundsPrefetch: c.FUNDS_PREFETCH,
    dbPoolMax: c.DB_POOL_MAX,
  }));

export type VendorBillingConfig = z.infer<typeof VendorBillingConfigSchema>;

/** Validates the environment at start; a ConfigError lists every bad variable. */
export function loadVendorBillingConfig(environment: NodeJS.ProcessEnv = process.env): VendorBillingConfig {
  return loadConfig(VendorBillingConfigSchema, environment);
}
