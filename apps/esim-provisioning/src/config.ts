import { z } from 'zod';
import { env, loadConfig } from '@ttelgo/runtime';
import { markupPercentToBps } from './domain/pricing';
import { currencyDecimals } from './domain/money';
import { parseUsageThresholds } from './domain/bundle-notices';
import { parseExchangeRateTable } from './domain/exchange-rates';

/**
 * The default table (dated; replace it through EXCHANGE_RATES): the currencies the platform sells in besides the
 * catalogue's USD, as decimal text.
 */
export const DEFAULT_EXCHANGE_RATES = JSON.stringify({
  base: 'USD',
  asOf: '2026-12-01',
  source: 'TtelGo default table; set EXCHANGE_RATES to the treasury rates of the day',
  rates: { EUR: '0.9450', GBP: '0.7900', CHF: '0.8850', JPY: '151.20', AUD: '1.5300', CAD: '1.3900' },
});

/** Unset: the default table for a USD catalogue; a catalogue in another currency then sells in that one only. */
function defaultExchangeRates(catalogueCurrency: string) {
  const table = JSON.parse(DEFAULT_EXCHANGE_RATES) as { base: string; asOf: string; source: string; rates: Record<string, string> };
  return parseExchangeRateTable(table.base === catalogueCurrency ? table : { ...table, base: catalogueCurrency, rates: {} });
}

const ExchangeRatesInput = z.object({
  base: z.string(),
  asOf: z.string(),
  source: z.string().default('configuration'),
  rates: z.record(z.string(), z.string()),
});

export const EsimProvisioningConfigSchema = z
  .object({
    DATABASE_URL: env.url('postgresql://postgres@127.0.0.1:5432/postgres'),
    /** Connections per Postgres pool of this process (it has at most two: Prisma's and the node-postgres write path). */
    DB_POOL_MAX: env.int(10, 1, 200),
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
    /**
     * How many replicas of this service run (npm start and the deployment manifests set it). More than one needs
     * REDIS_URL: the replicas share eSIM Go's request budget through Redis, or each would spend all of it.
     */
    REPLICAS: env.int(1, 1, 1000),
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
    /**
     * The dated exchange-rate table recommended retail prices are converted with, as JSON
     * `{ "base": "USD", "asOf": "YYYY-MM-DD", "source": "...", "rates": { "EUR": "0.9450" } }` (rates as text, at most 6
     * decimals). Its currencies are the ones the platform sells in; its base must be CATALOGUE_CURRENCY. Unset: the
     * default table above.
     */
    EXCHANGE_RATES: env.optionalString().transform((raw, ctx) => {
      if (raw === undefined) return undefined;
      try {
        return parseExchangeRateTable(ExchangeRatesInput.parse(JSON.parse(raw)));
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `invalid exchange-rate table: ${(err as Error).message}` });
        return z.NEVER;
      }
    }),
    /** eSIM Go bundle groups whose bundles can be applied to an existing eSIM (comma-separated). */
    TOPUP_BUNDLE_GROUPS: env.string('Standard eSIM Bundles').transform((raw) =>
      raw
        .split(',')
        .map((g) => g.trim())
        .filter((g) => g.length > 0),
    ),
    BREAKER_RESET_MS: env.int(10_000, 10),
    /**
     * Also send our order id as `clientReference` on POST /orders. Off: eSIM Go's OrderRequest has no such field
     * (type, assign, order only) and nothing relies on it; the simulator records it for drills that attribute
     * purchases to orders.
     */
    ESIMGO_SEND_CLIENT_REFERENCE: env.bool(false),
    /**
     * How long one worker may hold an order it provisions; renewed right before the POST. Must exceed one
     * POST with its timeout plus the wait for a rate-limit slot, or a second worker could reconcile too early.
     */
    PROVISION_LEASE_MS: env.int(120_000, 1000),
    /**
     * An order without eSIMs this long after it was recorded is settled against eSIM Go: completed if eSIM Go holds
     * an order for it, FAILED (refund or release) if not; never bought later.
     */
    PROVISIONING_DEADLINE_MS: env.int(30 * 60_000, 1000),
    /** How long provisioning pauses after eSIM Go refused our credentials (a 403 not about the balance). */
    PROVISIONING_PAUSE_MS: env.int(60_000, 100),
    /** How often unfinished provider orders are re-driven (those whose last try is at least a minute old). */
    PROVISION_RECONCILE_INTERVAL_MS: env.int(60_000, 1000),
    /** esim.get-esim.v1 refreshes usage from eSIM Go when the stored one is older than this (0 = never). */
    USAGE_REFRESH_AFTER_MS: env.int(300_000, 0),
    /** ...and waits at most this long for it before answering with the stored usage. */
    USAGE_REFRESH_BUDGET_MS: env.int(1500, 10, 60_000),
    /** esim.quote-topup.v1 waits at most this long for eSIM Go's compatibility answer (then PROVIDER_UNAVAILABLE). */
    TOPUP_COMPATIBILITY_BUDGET_MS: env.int(3000, 100, 60_000),
    /** The daily usage and expiry sync: how often it runs, and how long after start its first run comes. */
    ESIM_USAGE_SYNC_INTERVAL_MS: env.int(86_400_000, 1000),
    ESIM_USAGE_SYNC_FIRST_RUN_DELAY_MS: env.int(300_000, 0),
    /** It pulls eSIMs whose usage is older than this (20 h: a daily run refreshes each eSIM about once a day). */
    ESIM_USAGE_SYNC_STALE_AFTER_MS: env.int(72_000_000, 1000),
    /** At most this many eSIM Go calls per run (5000 at 5/s is about 17 minutes); the rest waits, oldest first. */
    ESIM_USAGE_SYNC_MAX_PER_RUN: env.int(5000, 1),
    ESIM_USAGE_SYNC_BATCH_SIZE: env.int(100, 1, 1000),
    /** The sync's own pace; at most ESIMGO_RATE_LIMIT_PER_SECOND, so purchases and reads keep the rest. */
    ESIM_USAGE_SYNC_CALLS_PER_SECOND: env.int(5, 1, 1000),
    /** The data-used percentages the owner of a bundle is told about, once each per bundle assignment. */
    USAGE_NOTICE_THRESHOLDS: env.string('80,100').transform((raw, ctx) => {
      try {
        return parseUsageThresholds(raw);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  })
  .superRefine((c, ctx) => {
    if (c.REPLICAS > 1 && c.REDIS_URL === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_URL'],
        message: `required with REPLICAS=${c.REPLICAS}: eSIM Go's ${c.ESIMGO_RATE_LIMIT_PER_SECOND} requests/s are shared through Redis, or each replica would spend the whole budget`,
      });
    }
    if (c.EXCHANGE_RATES && c.EXCHANGE_RATES.base !== c.CATALOGUE_CURRENCY) {
      ctx.addIssue({
        code: 'custom',
        path: ['EXCHANGE_RATES'],
        message: `the table's base ${c.EXCHANGE_RATES.base} must be CATALOGUE_CURRENCY (${c.CATALOGUE_CURRENCY}): retail prices are converted from it`,
      });
    }
    if (c.PROVISION_LEASE_MS < 2 * c.ESIMGO_TIMEOUT_MS + 1000) {
      ctx.addIssue({
        code: 'custom',
        path: ['PROVISION_LEASE_MS'],
        message: `must be at least 2 x ESIMGO_TIMEOUT_MS + 1000 (${2 * c.ESIMGO_TIMEOUT_MS + 1000}): a purchase must end within the lease`,
      });
    }
    if (c.ESIM_USAGE_SYNC_CALLS_PER_SECOND > c.ESIMGO_RATE_LIMIT_PER_SECOND) {
      ctx.addIssue({
        code: 'custom',
        path: ['ESIM_USAGE_SYNC_CALLS_PER_SECOND'],
        message: `must not exceed ESIMGO_RATE_LIMIT_PER_SECOND (${c.ESIMGO_RATE_LIMIT_PER_SECOND}): eSIM Go's budget is shared`,
      });
    }
  })
  .transform((c) => ({
    databaseUrl: c.DATABASE_URL,
    schema: c.DB_SCHEMA,
    dbPoolMax: c.DB_POOL_MAX,
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
    replicas: c.REPLICAS,
    retailMarkupBps: c.RETAIL_MARKUP_PERCENT,
    catalogueCurrency: c.CATALOGUE_CURRENCY,
    catalogueSyncIntervalMs: c.CATALOGUE_SYNC_INTERVAL_MS,
    exchangeRates: c.EXCHANGE_RATES ?? defaultExchangeRates(c.CATALOGUE_CURRENCY),
    topUpGroups: c.TOPUP_BUNDLE_GROUPS,
    provisioning: {
      sendClientReference: c.ESIMGO_SEND_CLIENT_REFERENCE,
      leaseMs: c.PROVISION_LEASE_MS,
      reconcileIntervalMs: c.PROVISION_RECONCILE_INTERVAL_MS,
      deadlineMs: c.PROVISIONING_DEADLINE_MS,
      pauseMs: c.PROVISIONING_PAUSE_MS,
      usageRefreshAfterMs: c.USAGE_REFRESH_AFTER_MS,
      usageRefreshBudgetMs: c.USAGE_REFRESH_BUDGET_MS,
      topupCompatibilityBudgetMs: c.TOPUP_COMPATIBILITY_BUDGET_MS,
    },
    usageNoticeThresholds: c.USAGE_NOTICE_THRESHOLDS,
    usageSync: {
      intervalMs: c.ESIM_USAGE_SYNC_INTERVAL_MS,
      firstRunDelayMs: c.ESIM_USAGE_SYNC_FIRST_RUN_DELAY_MS,
      staleAfterMs: c.ESIM_USAGE_SYNC_STALE_AFTER_MS,
      maxPerRun: c.ESIM_USAGE_SYNC_MAX_PER_RUN,
      batchSize: c.ESIM_USAGE_SYNC_BATCH_SIZE,
      callsPerSecond: c.ESIM_USAGE_SYNC_CALLS_PER_SECOND,
    },
  }));

export type EsimProvisioningConfig = z.infer<typeof EsimProvisioningConfigSchema>;

/** Validates the environment at start; a ConfigError lists every bad variable. */
export function loadEsimProvisioningConfig(environment: NodeJS.ProcessEnv = process.env): EsimProvisioningConfig {
  return loadConfig(EsimProvisioningConfigSchema, environment);
}
