import { z } from 'zod';
import { env, loadConfig } from '@ttelgo/runtime';

export const SIMULATOR_SECRET_KEY = 'sk_test_ttelgo_sim';
export const SIMULATOR_PUBLISHABLE_KEY = 'pk_test_ttelgo_sim';
export const SIMULATOR_API_BASE = 'http://127.0.0.1:12111';

/** The simulator's own key (any `sk_test_ttelgo_sim…`): without STRIPE_API_BASE it still means stripe-sim. */
export function isSimulatorKey(key: string): boolean {
  return key.startsWith(SIMULATOR_SECRET_KEY);
}

export const PaymentConfigSchema = z
  .object({
    DATABASE_URL: env.url('postgresql://postgres@127.0.0.1:5432/postgres'),
    /** Connections per Postgres pool of this process (it has at most two: Prisma's and the node-postgres write path). */
    DB_POOL_MAX: env.int(10, 1, 200),
    DB_SCHEMA: env.string('payments').pipe(z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case Postgres identifier')),
    AMQP_URL: env.url('amqp://guest:guest@127.0.0.1:5672'),
    OPS_PORT: env.port(9103),
    LOG_LEVEL: env.string('info'),
    STRIPE_SECRET_KEY: env.string(SIMULATOR_SECRET_KEY).pipe(z.string().regex(/^(sk|rk)_(test|live)_\S+$/, 'expected a Stripe secret key (sk_test_… / sk_live_…)')),
    STRIPE_PUBLISHABLE_KEY: env.string(SIMULATOR_PUBLISHABLE_KEY).pipe(z.string().regex(/^pk_(test|live)_\S+$/, 'expected a Stripe publishable key (pk_…)')),
    /** Only set it to point the SDK somewhere else than api.stripe.com (stripe-sim); see stripeApiBase below. */
    STRIPE_API_BASE: env.optionalUrl(),
    STRIPE_TIMEOUT_MS: env.int(10_000, 100, 80_000),
    STRIPE_EVENT_RETRY_INTERVAL_MS: env.int(300_000, 100),
    /** 24 attempts at the default 5-minute interval ride out two hours of Stripe trouble. */
    STRIPE_EVENT_MAX_ATTEMPTS: env.int(24, 1, 1000),
    /** A RECEIVED event older than this was never processed (crash between store and process): the job takes it. */
    STRIPE_EVENT_STALE_AFTER_MS: env.int(60_000, 0),
  })
  .transform((c) => ({
    databaseUrl: c.DATABASE_URL,
    schema: c.DB_SCHEMA,
    dbPoolMax: c.DB_POOL_MAX,
    amqpUrl: c.AMQP_URL,
    opsPort: c.OPS_PORT,
    logLevel: c.LOG_LEVEL,
    stripe: {
      secretKey: c.STRIPE_SECRET_KEY,
      publishableKey: c.STRIPE_PUBLISHABLE_KEY,
      // A real key with no STRIPE_API_BASE talks to api.stripe.com; the simulator key defaults to the local sim.
      apiBase: c.STRIPE_API_BASE ?? (isSimulatorKey(c.STRIPE_SECRET_KEY) ? SIMULATOR_API_BASE : undefined),
      timeoutMs: c.STRIPE_TIMEOUT_MS,
    },
    stripeEvents: {
      retryIntervalMs: c.STRIPE_EVENT_RETRY_INTERVAL_MS,
      maxAttempts: c.STRIPE_EVENT_MAX_ATTEMPTS,
      staleAfterMs: c.STRIPE_EVENT_STALE_AFTER_MS,
    },
  }));

export type PaymentConfig = z.infer<typeof PaymentConfigSchema>;

/** Validates the environment at start; a ConfigError lists every bad variable. */
export function loadPaymentConfig(environment: NodeJS.ProcessEnv = process.env): PaymentConfig {
  return loadConfig(PaymentConfigSchema, environment);
}
