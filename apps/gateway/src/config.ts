import { z } from 'zod';
import { env, isProduction, loadConfig } from '@ttelgo/runtime';
import { parseApnRules, type ApnRule } from './domain/install-kit/apn-rules';

/** argon2id floors in production (OWASP Password Storage Cheat Sheet: m=19 MiB, t=2, p=1). */
export const ARGON2_PRODUCTION_FLOOR = { memoryKib: 19_456, timeCost: 2, parallelism: 1 } as const;
export const DEV_JWT_SECRET = 'ttelgo-dev-only-jwt-secret-not-for-production-0123456789';
export const DEV_STRIPE_WEBHOOK_SECRET = 'whsec_ttelgo_dev_secret';
export const DEV_ADMIN_EMAIL = 'admin@ttelgo.local';
export const DEV_ADMIN_PASSWORD = 'ttelgo-admin-dev-password';

/**
 * Express `trust proxy`: false (default: X-Forwarded-For is ignored, so clients cannot choose their rate-limit key),
 * true, a hop count, or a comma-separated list of addresses/subnets/`loopback`...
 */
const trustProxy = z
  .string()
  .optional()
  .transform((raw, ctx): boolean | number | string[] => {
    const text = (raw ?? '').trim();
    if (text === '' || /^(false|0)$/i.test(text)) return false;
    if (/^true$/i.test(text)) return true;
    if (/^\d{1,2}$/.test(text)) return Number(text);
    const list = text.split(',').map((s) => s.trim()).filter(Boolean);
    if (list.length === 0 || list.some((s) => !/^[0-9A-Fa-f.:/]+$|^(loopback|linklocal|uniquelocal)$/.test(s))) {
      ctx.addIssue({ code: 'custom', message: 'expected false, true, a hop count or a comma-separated list of addresses/subnets' });
      return z.NEVER;
    }
    return list;
  });

export const GatewayConfigSchema = z.object({
  PORT: env.port(8080),
  OPS_PORT: env.port(9101),
  AMQP_URL: env.url('amqp://guest:guest@127.0.0.1:5672'),
  /** Per RPC call; the request carries the same expiration, so a late answer is never computed for nobody. */
  RPC_TIMEOUT_MS: env.int(3000, 50, 60_000),
  /** Safety net behind the catalogue-updated invalidation (a lost event, a second replica, see README). */
  CATALOGUE_CACHE_TTL_MS: env.int(30_000, 0, 3_600_000),
  /** Bounds memory: every distinct normalised query is an entry, and clients choose the queries. */
  CATALOGUE_CACHE_MAX_ENTRIES: env.int(5000, 1, 1_000_000),
  /** Absolute base URL advertised in the OpenAPI `servers` (e.g. https://api.ttelgo.dev); relative when unset. */
  PUBLIC_BASE_URL: env.optionalUrl(),
  // A blank variable counts as unset, like everywhere else in env parsing.
  LOG_LEVEL: z.preprocess(
    (raw) => (typeof raw === 'string' && raw.trim() === '' ? undefined : raw),
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  /** Exactly `development` or `test` for the development defaults; anything else, unset included, is production. */
  NODE_ENV: env.optionalString(),
  DATABASE_URL: env.url('postgresql://postgres@127.0.0.1:5432/postgres'),
  /** Connections per Postgres pool of this process (it has at most two: Prisma's and the node-postgres write path). */
  DB_POOL_MAX: env.int(10, 1, 200),
  DB_SCHEMA: env.string('gateway').pipe(z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case Postgres identifier')),
  /** HS256 key of the access tokens; at least 32 characters, required in production. */
  JWT_SECRET: env.optionalString(),
  JWT_ISSUER: env.string('ttelgo'),
  JWT_AUDIENCE: env.string('ttelgo-api'),
  ACCESS_TOKEN_TTL_SECONDS: env.int(900, 60, 3600),
  /** Idle limit: a refresh token not used for this long expires (each refresh issues a new one). */
  REFRESH_TOKEN_TTL_DAYS: env.int(30, 1, 365),
  /** Absolute limit: a sign-in ends this long after the login, however often it is refreshed (then log in again). */
  SESSION_MAX_DAYS: env.int(90, 1, 3650),
  ARGON2_MEMORY_KIB: env.int(ARGON2_PRODUCTION_FLOOR.memoryKib, 1024, 4_194_304),
  ARGON2_TIME_COST: env.int(ARGON2_PRODUCTION_FLOOR.timeCost, 1, 20),
  ARGON2_PARALLELISM: env.int(ARGON2_PRODUCTION_FLOOR.parallelism, 1, 16),
  ADMIN_EMAIL: env.optionalString(),
  ADMIN_PASSWORD: env.optionalString(),
  STRIPE_WEBHOOK_SECRET: env.optionalString(),
  /**
   * HMAC key of eSIM Go's usage callbacks (X-Signature-SHA256): the eSIM Go API key, or the signing key set in
   * its portal. Unset: POST /webhooks/esimgo answers 503 to everything (nothing unsigned is ever accepted).
   */
  ESIMGO_CALLBACK_SIGNING_KEY: env.optionalString(),
  /** How long the webhook ingress waits for RabbitMQ's confirm before answering 503 (Stripe waits about 10 s). */
  WEBHOOK_CONFIRM_TIMEOUT_MS: env.int(5000, 100, 30_000),
  /** Rate limits shared by all replicas through Redis when set; per replica (memory) otherwise. */
  REDIS_URL: env.optionalUrl(),
  /** How many gateway replicas run (npm start and the deployment manifests set it); more than one needs REDIS_URL. */
  REPLICAS: env.int(1, 1, 1000),
  TRUST_PROXY: trustProxy,
  /** Per client IP and minute: register + login together, and refresh + logout together. */
  AUTH_RATE_LIMIT_PER_MINUTE: env.int(10, 1, 100_000),
  REFRESH_RATE_LIMIT_PER_MINUTE: env.int(30, 1, 100_000),
  /** Per client IP (IPv6 per /64) and minute: POST/PUT/PATCH/DELETE that authenticate nobody (404, 401, failed sign-ins). */
  ANONYMOUS_WRITE_RATE_LIMIT_PER_MINUTE: env.int(60, 1, 100_000),
  /** Per client IP (IPv6 per /64) and minute: failed X-API-Key attempts, refused with 429 before the key lookup. */
  API_KEY_FAILURE_RATE_LIMIT_PER_MINUTE: env.int(20, 1, 100_000),
  /** Audit rows older than this are deleted by the hourly cleanup job. */
  AUDIT_RETENTION_DAYS: env.int(365, 1, 3650),
  /**
   * Per account (e-mail): LOGIN_MAX_FAILURES wrong passwords within LOGIN_FAILURE_WINDOW_SECONDS lock sign-in for
   * LOGIN_LOCKOUT_SECONDS; each further failure soon after a lock locks it again for twice as long, up to
   * LOGIN_LOCKOUT_MAX_SECONDS. Admin accounts: ADMIN_LOGIN_MAX_FAILURES and ADMIN_LOGIN_LOCKOUT_SECONDS.
   */
  LOGIN_MAX_FAILURES: env.int(5, 1, 1000),
  LOGIN_FAILURE_WINDOW_SECONDS: env.int(900, 1, 86_400),
  LOGIN_LOCKOUT_SECONDS: env.int(60, 1, 86_400),
  LOGIN_LOCKOUT_MAX_SECONDS: env.int(3600, 1, 604_800),
  ADMIN_LOGIN_MAX_FAILURES: env.int(3, 1, 1000),
  ADMIN_LOGIN_LOCKOUT_SECONDS: env.int(300, 1, 86_400),
  /** Password reset: per client IP and minute (both routes), and resets mailed per account and hour. */
  PASSWORD_RESET_RATE_LIMIT_PER_MINUTE: env.int(5, 1, 100_000),
  PASSWORD_RESET_PER_ACCOUNT_PER_HOUR: env.int(3, 1, 1000),
  /** Per signed-in user and minute, on every JWT route (orders, eSIMs, /me, admin). */
  USER_RATE_LIMIT_PER_MINUTE: env.int(300, 1, 100_000),
  IDEMPOTENCY_TTL_HOURS: env.int(24, 1, 24 * 30),
  /**
   * How long a replica may trust what it cached about a vendor (status, rate limit, markup) and an API key row
   * (revocation). At most 5000: a suspension or a revocation must reach every replica within 5 s even when the
   * billing.vendor-changed.v1 event is lost.
   */
  VENDOR_CACHE_TTL_MS: env.int(2000, 0, 5000),
  /** Interval bounds of the order polling behind `Prefer: wait` (doubling from MIN to MAX). */
  PREFER_WAIT_POLL_MIN_MS: env.int(100, 10, 5000),
  PREFER_WAIT_POLL_MAX_MS: env.int(500, 10, 5000),
  IDEMPOTENCY_CLEANUP_INTERVAL_MS: env.int(3_600_000, 1000),
  /** The sandbox cell's RabbitMQ (its own vhost): test keys (ttk_test_...) are served there. Unset: no test keys. */
  SANDBOX_AMQP_URL: env.optionalUrl(),
  /** The opening balance of a reseller's test wallet, in minor units of its currency. */
  SANDBOX_OPENING_BALANCE: env.int(100_000, 0, 1_000_000_000),
  /** Signing secrets of the sandbox's simulators (never the live ones). */
  SANDBOX_STRIPE_WEBHOOK_SECRET: env.optionalString(),
  SANDBOX_ESIMGO_CALLBACK_SIGNING_KEY: env.optionalString(),
  /** Bundles whose eSIMs need an APN set by hand: `<bundle-name glob>=<apn>,...` (none by default). */
  INSTALL_APN_RULES: env.optionalString(),
});

export type GatewayEnv = z.infer<typeof GatewayConfigSchema>;

export interface GatewayConfig extends GatewayEnv {
  production: boolean;
  jwtSecret: string;
  stripeWebhookSecret: string;
  /** Undefined: no admin is seeded. */
  admin: { email: string; password: string } | undefined;
  /** Dev-only defaults that were applied; logged as warnings at start. */
  insecureDefaults: string[];
  installApnRules: ApnRule[];
  /** Undefined in production unless set (then SANDBOX_AMQP_URL requires it). */
  sandboxStripeWebhookSecret: string | undefined;
}

/**
 * Secrets have development defaults only when NODE_ENV is exactly `development` or `test`. Anything else is
 * production: there, a missing JWT_SECRET or STRIPE_WEBHOOK_SECRET, a short JWT secret or argon2 parameters under
 * the OWASP floor stop the start with a ConfigError, a missing ADMIN_EMAIL/ADMIN_PASSWORD simply means no admin is
 * seeded, and loadConfig refuses any of the repository's public secrets.
 */
const ResolvedConfigSchema = GatewayConfigSchema.transform((c, ctx): GatewayConfig => {
  const production = isProduction(c.NODE_ENV);
  const insecureDefaults: string[] = [];
  if (c.JWT_SECRET !== undefined && c.JWT_SECRET.length < 32) {
    ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'must be at least 32 characters (256 bits for HS256)' });
  }
  if (production) {
    if (c.JWT_SECRET === undefined) ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'Required in production' });
    if (c.STRIPE_WEBHOOK_SECRET === undefined) ctx.addIssue({ code: 'custom', path: ['STRIPE_WEBHOOK_SECRET'], message: 'Required in production' });
    const floor = ARGON2_PRODUCTION_FLOOR;
    if (c.SANDBOX_AMQP_URL !== undefined && c.SANDBOX_STRIPE_WEBHOOK_SECRET === undefined) {
      ctx.addIssue({ code: 'custom', path: ['SANDBOX_STRIPE_WEBHOOK_SECRET'], message: 'Required in production with SANDBOX_AMQP_URL (the sandbox stripe-sim signs with it)' });
    }
    if (c.ARGON2_MEMORY_KIB < floor.memoryKib) ctx.addIssue({ code: 'custom', path: ['ARGON2_MEMORY_KIB'], message: `must be >= ${floor.memoryKib} in production` });
    if (c.ARGON2_TIME_COST < floor.timeCost) ctx.addIssue({ code: 'custom', path: ['ARGON2_TIME_COST'], message: `must be >= ${floor.timeCost} in production` });
  }
  if (c.REPLICAS > 1 && c.REDIS_URL === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_URL'],
      message: `required with REPLICAS=${c.REPLICAS}: the per-vendor, per-user and sign-in rate limits are counted in Redis, or each replica would allow the whole limit`,
    });
  }
  if ((c.ADMIN_EMAIL === undefined) !== (c.ADMIN_PASSWORD === undefined)) {
    ctx.addIssue({ code: 'custom', path: [c.ADMIN_EMAIL === undefined ? 'ADMIN_EMAIL' : 'ADMIN_PASSWORD'], message: 'ADMIN_EMAIL and ADMIN_PASSWORD go together' });
  }
  if (c.ADMIN_PASSWORD !== undefined && (c.ADMIN_PASSWORD.length < 10 || c.ADMIN_PASSWORD.length > 200)) {
    ctx.addIssue({ code: 'custom', path: ['ADMIN_PASSWORD'], message: 'must be 10-200 characters' });
  }
  if (c.ADMIN_EMAIL !== undefined && !z.email().safeParse(c.ADMIN_EMAIL.trim().toLowerCase()).success) {
    ctx.addIssue({ code: 'custom', path: ['ADMIN_EMAIL'], message: 'expected an e-mail address' });
  }

  let installApnRules: ApnRule[] = [];
  try {
    installApnRules = parseApnRules(c.INSTALL_APN_RULES);
  } catch (err) {
    ctx.addIssue({ code: 'custom', path: ['INSTALL_APN_RULES'], message: (err as Error).message });
  }

  let jwtSecret = c.JWT_SECRET;
  if (jwtSecret === undefined) {
    jwtSecret = DEV_JWT_SECRET;
    insecureDefaults.push('JWT_SECRET is not set: using the public development secret (never in production)');
  }
  let stripeWebhookSecret = c.STRIPE_WEBHOOK_SECRET;
  if (stripeWebhookSecret === undefined) {
    stripeWebhookSecret = DEV_STRIPE_WEBHOOK_SECRET;
    insecureDefaults.push(`STRIPE_WEBHOOK_SECRET is not set: using the development secret ${DEV_STRIPE_WEBHOOK_SECRET}`);
  }
  let admin: GatewayConfig['admin'];
  if (c.ADMIN_EMAIL !== undefined && c.ADMIN_PASSWORD !== undefined) {
    admin = { email: c.ADMIN_EMAIL.trim().toLowerCase(), password: c.ADMIN_PASSWORD };
  } else if (!production && c.ADMIN_EMAIL === undefined && c.ADMIN_PASSWORD === undefined) {
    admin = { email: DEV_ADMIN_EMAIL, password: DEV_ADMIN_PASSWORD };
    insecureDefaults.push(`ADMIN_EMAIL/ADMIN_PASSWORD are not set: seeding the development admin ${DEV_ADMIN_EMAIL} / ${DEV_ADMIN_PASSWORD}`);
  }
  // The sandbox's stripe-sim signs with a secret of its own; the development one when unset (it guards simulated money).
  // Never the public value in production (loadConfig refuses it there): unset stays unset.
  const sandboxStripeWebhookSecret = c.SANDBOX_STRIPE_WEBHOOK_SECRET ?? (production ? undefined : DEV_STRIPE_WEBHOOK_SECRET);
  return { ...c, production, jwtSecret, stripeWebhookSecret, admin, insecureDefaults, installApnRules, sandboxStripeWebhookSecret };
});

export function loadGatewayConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadConfig(ResolvedConfigSchema, source);
}
