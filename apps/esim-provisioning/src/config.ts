import { z } from 'zod';
import { env, loadConfig } from '@ttelgo/runtime';
import { markupPercentToBps } from './domain/pricing';
import { currencyDecimals } from './domain/money';

export const EsimProvisioningConfigSchema = z
  .object({
    DATABASE_URL: env.url('postgresql://postgres@127.0.0.1:5432/postgres'),
    DB_SCHEMA: env.string('esims').pipe(z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case Postgres identifier')),
    AMQP_URL: env.url('amqp://guest:guest@127.0.0.1:5672'),
    OPS_PORT: env.port(9105),
    LOG_LEVEL: env.string('info'),
    ESIMGO_BASE_URL: env.url('http://127.0.0.1:12112/v2.4'),
    ESIMGO_API_KEY: env.string('esimgo-sim-key'),
    ESIMGO_TIMEOUT_MS: env.int(5000, 100, 120_000),
    /** eSIM Go's limit is 10 requests/s per IP, shared by every replica (through Redis when REDIS_URL is set). */
    ESIMGO_RATE_LIMIT_PER_SECOND: env.int(10, 1, 1000),
    REDIS_URL: env.optionalUrl(),
    /** Retail markup on eSIM Go's cost, a decimal percent with up to 2 decimals (27.5); kept as basis points. */
    RETAIL_MARKUP_PERCENT: env.string('30').transform((raw, ctx) => {
      try {
        return markupPercentToBps(raw.trim());
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
    /** The currency eSIM Go prices our organisation in; cost and retail prices are in it. */
    CATALOGUE_CURRENCY: env.string('USD').transform((raw, ctx) => {
      const code = raw.trim().toUpperCase();
      try {
        currencyDecimals(code);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
      return code;
    }),
    CATALOGUE_SYNC_INTERVAL_MS: env.int(3_600_000, 1000),
    BREAKER_RESET_MS: env.int(10_000, 10),
  })
  .transform((c) => ({
    databaseUrl: c.DATABASE_URL,
    schema: c.DB_SCHEMA,
    amqpUrl: c.AMQP_URL,
    opsPort: c.OPS_PORT,
    logLevel: c.LOG_LEVEL,
    esimGo: {
      baseUrl: c.ESIMGO_BASE_URL,
      apiKey: c.ESIMGO_API_KEY,
      timeoutMs: c.ESIMGO_TIMEOUT_MS,
      rateLimitPerSecond: c.ESIMGO_RATE_LIMIT_PER_SECOND,
      breakerResetMs: c.BREAKER_RESET_MS,
    },
    redisUrl: c.REDIS_URL,
    retailMarkupBps: c.RETAIL_MARKUP_PERCENT,
    catalogueCurrency: c.CATALOGUE_CURRENCY,
    catalogueSyncIntervalMs: c.CATALOGUE_SYNC_INTERVAL_MS,
  }));

export type EsimProvisioningConfig = z.infer<typeof EsimProvisioningConfigSchema>;

/** Validates the environment at start; a ConfigError lists every bad variable. */
export function loadEsimProvisioningConfig(environment: NodeJS.ProcessEnv = process.env): EsimProvisioningConfig {
  return loadConfig(EsimProvisioningConfigSchema, environment);
}
