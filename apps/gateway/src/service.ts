/**
 * Composition root of the gateway: migrations and Postgres (accounts, refresh tokens, idempotency, audit), RabbitMQ
 * (RPC client, the catalogue-cache consumer, the confirm publisher of the Stripe and eSIM Go webhook ingress),
 * Redis (shared rate limits, optional), the hourly cleanup job, the public HTTP server and the ops server. Every
 * port may be 0; close() stops everything in reverse order of start.
 */
import Redis from 'ioredis';
import { Counter } from 'prom-client';
import { HandleStripeEventV1, RecordEsimAttachmentV1, RecordEsimUsageV1, type VendorView } from '@ttelgo/contracts';
import { PgTransactions, createPrismaClient, findMigrationsDir, runMigrations } from '@ttelgo/db';
import { createBrokerConnection, createClosers, startServiceOps } from '@ttelgo/runtime';
import { listen } from '@ttelgo/http';
import { ConfirmPublisher, RpcClient, declareContractExchange, type Consumer } from '@ttelgo/messaging';
import { createLogger, createMetrics, type Logger } from '@ttelgo/observability';
import { seedAdmin } from './application/seed-admin.use-case';
import { SessionIssuer } from './application/session.issuer';
import { VendorAccess, VendorDirectory } from './application/vendor-access';
import type { GatewayConfig } from './config';
import type { CachedJson } from './entry-points/http/cached-json';
import { createGatewayHttpApp, type GatewayHttpDeps } from './entry-points/http/http.app';
import { authenticate } from './entry-points/http/middleware/authenticate.middleware';
import { idempotency } from './entry-points/http/middleware/idempotency.middleware';
import { principalOf } from './entry-points/http/middleware/authenticate.middleware';
import { rateLimitByIp } from './entry-points/http/middleware/rate-limit.middleware';
import { LAST_USED_WRITE_INTERVAL_MS, authenticateVendor, vendorOf } from './entry-points/http/middleware/vendor-auth.middleware';
import { buildOpenApiDocument } from './entry-points/http/openapi/openapi.document';
import { startCleanupJob } from './entry-points/jobs/idempotency-cleanup.job';
import { startCatalogueCacheInvalidation } from './entry-points/messaging/catalogue-updated.consumer';
import { startDeadLetterArchive } from './entry-points/messaging/dead-letter-archive.consumer';
import { startVendorCacheInvalidation } from './entry-points/messaging/vendor-changed.consumer';
import { ApiKeyRepository, type ApiKeyRow } from './infrastructure/api-key.repository';
import { AccessTokenSigner } from './infrastructure/access-token.signer';
import { AuditLogRepository } from './infrastructure/audit-log.repository';
import { DeadLetterRepository } from './infrastructure/dead-letter.repository';
import { createRateLimiter } from './infrastructure/auth.rate-limiter';
import { createLoginThrottle } from './infrastructure/login-throttle';
import { PrismaClient } from './infrastructure/generated/prisma/client';
import { IdempotencyRepository } from './infrastructure/idempotency.repository';
import { PasswordHasher } from './infrastructure/password.hasher';
import { PasswordResetRepository } from './infrastructure/password-reset.repository';
import { RefreshTokenRepository } from './infrastructure/refresh-token.repository';
import { ResponseCache } from './infrastructure/response.cache';
import { StripeSignatureVerifier } from './infrastructure/stripe-signature.verifier';
import { EsimGoSignatureVerifier } from './infrastructure/esimgo-signature.verifier';
import { UserRepository } from './infrastructure/user.repository';
import { createVendorRateLimiter } from './infrastructure/vendor.rate-limiter';
import { createServiceCaller, type ServiceCaller } from './rpc/service.caller';
import { cellCaller } from './rpc/cell';

export const SERVICE_NAME = 'gateway';
export const DEFAULT_MIGRATIONS_DIR = findMigrationsDir(__dirname, 'gateway');
const HOUR_MS = 3_600_000;

export interface GatewayHandle {
  port: number;
  opsPort: number;
  /** Runs the cleanup job now; undefined when another replica holds its lock. */
  runCleanupNow(): Promise<Record<string, number> | undefined>;
  /** Stops accepting and drains HTTP, then stops jobs, the consumer, RPC, AMQP, Redis, Postgres and the ops server. */
  close(): Promise<void>;
}


const DAY_SECONDS = 86_400;

function loginThrottling(config: GatewayConfig, redis: Redis | undefined) {
  const customer = {
    maxFailures: config.LOGIN_MAX_FAILURES,
    windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
    lockoutSeconds: config.LOGIN_LOCKOUT_SECONDS,
    maxLockoutSeconds: config.LOGIN_LOCKOUT_MAX_SECONDS,
    memorySeconds: DAY_SECONDS,
  };
  const admin = { ...customer, maxFailures: Math.min(customer.maxFailures, config.ADMIN_LOGIN_MAX_FAILURES), lockoutSeconds: Math.max(customer.lockoutSeconds, config.ADMIN_LOGIN_LOCKOUT_SECONDS) };
  const throttle = createLoginThrottle({ redis, maxWindowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS, maxMemorySeconds: DAY_SECONDS });
  return { throttle, customer, admin };
}

export async function startGateway(config: GatewayConfig, opts: { logger?: Logger; migrationsDir?: string } = {}): Promise<GatewayHandle> {
  const logger = opts.logger ?? createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
  const metrics = createMetrics(SERVICE_NAME);
  const cacheOutcomes = new Counter({
    name: 'ttelgo_gateway_catalogue_cache_total',
    help: 'Catalogue response cache lookups by outcome (hit, miss, joined = waited for a load already running)',
    labelNames: ['outcome'] as const,
    registers: [metrics.registry],
  });
  // Closed in reverse order, also when start fails half-way.
  const closers = createClosers(logger, SERVICE_NAME);
  for (const warning of config.insecureDefaults) logger.warn({ insecureDefault: true }, warning);
  if (config.ESIMGO_CALLBACK_SIGNING_KEY === undefined) {
    logger.warn('ESIMGO_CALLBACK_SIGNING_KEY is not set: POST /api/v1/webhooks/esimgo refuses every callback with 503');
  }

  try {
    const { DATABASE_URL: databaseUrl, DB_SCHEMA: schema } = config;
    const migrationsDir = opts.migrationsDir ?? DEFAULT_MIGRATIONS_DIR;
    await runMigrations({ databaseUrl, schema, migrationsDir, logger });
    const prisma = createPrismaClient(PrismaClient, { databaseUrl, schema, poolMax: config.DB_POOL_MAX, logger });
    closers.add('prisma', () => prisma.$disconnect());

    const users = new UserRepository(prisma);
    const refreshTokens = new RefreshTokenRepository(prisma, schema);
    // The writes every vendor order makes (idempotency claim and completion, audit entry) as prepared statements.
    const sql = new PgTransactions({ databaseUrl, schema, poolMax: config.DB_POOL_MAX, applicationName: `ttelgo:${schema}:sql`, logger });
    closers.add('postgres pool', () => sql.end());
    const idempotencyRecords = new IdempotencyRepository(prisma, sql, schema);
    const auditLog = new AuditLogRepository(prisma, sql, schema);
    const hasher = new PasswordHasher({ memoryKib: config.ARGON2_MEMORY_KIB, timeCost: config.ARGON2_TIME_COST, parallelism: config.ARGON2_PARALLELISM });
    const signer = new AccessTokenSigner({
      secret: config.jwtSecret,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    });
    const sessions = new SessionIssuer(signer, refreshTokens, {
      refreshTtlMs: config.REFRESH_TOKEN_TTL_DAYS * 24 * HOUR_MS,
      sessionMaxMs: config.SESSION_MAX_DAYS * 24 * HOUR_MS,
    });

    await hasher.warmUp();
    if (config.admin) {
      const seeded = await seedAdmin({ users, hasher }, config.admin);
      logger.info({ email: config.admin.email, outcome: seeded }, 'admin seed');
    }

    // The webhook ingress publishes to payment's command exchange: declare it, so a publish never fails with
    // NOT_FOUND. The binding is payment's; until payment declared its queue, mandatory publishes come back => 503.
    // Likewise esim-provisioning's command exchange for the eSIM Go callback ingress.
    const conn = createBrokerConnection({
      url: config.AMQP_URL,
      name: SERVICE_NAME,
      logger,
      closers,
      declare: async (ch) => {
        await declareContractExchange(ch, HandleStripeEventV1);
        await declareContractExchange(ch, RecordEsimUsageV1);
        await declareContractExchange(ch, RecordEsimAttachmentV1);
      },
    });

    // The ops port comes early, so probes get answers (not ready) while the broker is still being reached.
    const ops = await startServiceOps({
      port: config.OPS_PORT,
      logger,
      metrics,
      closers,
      postgres: { prisma, databaseUrl, schema, migrationsDir },
      conn,
      brokerCheck: 'rabbitmq',
    });

    await conn.start();

    const rpc = new RpcClient(conn, { logger, metrics, producer: SERVICE_NAME, defaultTimeoutMs: config.RPC_TIMEOUT_MS });
    await rpc.start();
    closers.add('rpc client', () => rpc.stop());
    const publisher = new ConfirmPublisher(conn, { logger, metrics, confirmTimeoutMs: config.WEBHOOK_CONFIRM_TIMEOUT_MS, name: 'webhook-ingress' });

    const catalogueCache = new ResponseCache<CachedJson>({
      ttlMs: config.CATALOGUE_CACHE_TTL_MS,
      maxEntries: config.CATALOGUE_CACHE_MAX_ENTRIES,
    });
    const consumer: Consumer = startCatalogueCacheInvalidation(conn, { cache: catalogueCache, logger, metrics });
    closers.add('catalogue cache consumer', () => consumer.stop());

    // Competing consumer of the archive queue: every dead letter of every queue, stored for /admin/dead-letters.
    const deadLetters = new DeadLetterRepository(prisma);
    const archive: Consumer = startDeadLetterArchive(conn, { store: deadLetters, logger });
    closers.add('dead-letter archive consumer', () => archive.stop());
    const replayPublisher = new ConfirmPublisher(conn, { logger, metrics, name: 'dead-letter-replay' });

    // The sandbox cell (test keys): the same services on their own vhost. Not part of readiness: the live platform
    // serves on while the sandbox is away (test-key requests then get 503/504).
    let sandbox: ServiceCaller | undefined;
    let sandboxWebhooks: GatewayHttpDeps['sandboxWebhooks'];
    if (config.SANDBOX_AMQP_URL) {
      const sandboxLogger = logger.child({ cell: 'sandbox' });
      const sandboxConn = createBrokerConnection({
        url: config.SANDBOX_AMQP_URL,
        name: `${SERVICE_NAME}-sandbox`,
        logger: sandboxLogger,
        closers,
        declare: async (ch) => {
          await declareContractExchange(ch, HandleStripeEventV1);
          await declareContractExchange(ch, RecordEsimUsageV1);
          await declareContractExchange(ch, RecordEsimAttachmentV1);
        },
      });
      await sandboxConn.start();
      const sandboxPublisher = new ConfirmPublisher(sandboxConn, { logger: sandboxLogger, metrics, confirmTimeoutMs: config.WEBHOOK_CONFIRM_TIMEOUT_MS, name: 'sandbox-webhook-ingress' });
      sandboxWebhooks = {
        stripe: { verifier: new StripeSignatureVerifier(config.sandboxStripeWebhookSecret ?? config.stripeWebhookSecret), publisher: sandboxPublisher, logger: sandboxLogger },
        esimGo: {
          verifier: config.SANDBOX_ESIMGO_CALLBACK_SIGNING_KEY === undefined ? undefined : new EsimGoSignatureVerifier(config.SANDBOX_ESIMGO_CALLBACK_SIGNING_KEY),
          publisher: sandboxPublisher,
          logger: sandboxLogger,
        },
      };
      const sandboxRpc = new RpcClient(sandboxConn, { logger, metrics, producer: SERVICE_NAME, defaultTimeoutMs: config.RPC_TIMEOUT_MS });
      await sandboxRpc.start();
      closers.add('sandbox rpc client', () => sandboxRpc.stop());
      sandbox = createServiceCaller(sandboxRpc, { timeoutMs: config.RPC_TIMEOUT_MS });
    }
    const live = createServiceCaller(rpc, { timeoutMs: config.RPC_TIMEOUT_MS });
    // Every route's RPCs go to the cell of the request (the sandbox for a test key, else live).
    const esimCaller = cellCaller(live, sandbox);
    const orderCaller = cellCaller(live, sandbox);
    const billing = cellCaller(live, sandbox);
    const notification = cellCaller(live, sandbox);
    // Vendors and key rows are trusted for at most VENDOR_CACHE_TTL_MS (<= 5 s) on this replica.
    const vendorCacheOpts = { ttlMs: config.VENDOR_CACHE_TTL_MS, maxEntries: 50_000 };
    // A vendor's status and limits are the live vendor's, for its test keys too (a suspended reseller's sandbox stops).
    const vendors = new VendorDirectory(live, new ResponseCache<VendorView>(vendorCacheOpts));
    const apiKeys = new ApiKeyRepository(prisma);
    const vendorAccess = new VendorAccess({ keys: apiKeys, keyCache: new ResponseCache<ApiKeyRow | null>(vendorCacheOpts), vendors, logger });
    const vendorConsumer: Consumer = startVendorCacheInvalidation(conn, { vendors, logger, metrics });
    closers.add('vendor cache consumer', () => vendorConsumer.stop());

    let redis: Redis | undefined;
    if (config.REDIS_URL) {
      // No offline queue: while Redis is away the limiter fails at once and the in-memory insurance limiter answers.
      redis = new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      redis.on('error', (err) => logger.warn({ err }, 'Redis error (rate limits fall back to per-replica)'));
      const client = redis;
      closers.add('redis', async () => void (await client.quit().catch(() => client.disconnect())));
    }
    const credentialsLimiter = createRateLimiter({ name: 'auth-credentials', points: config.AUTH_RATE_LIMIT_PER_MINUTE, durationSeconds: 60, redis });
    const refreshLimiter = createRateLimiter({ name: 'auth-refresh', points: config.REFRESH_RATE_LIMIT_PER_MINUTE, durationSeconds: 60, redis });
    const userLimiter = createRateLimiter({ name: 'user', points: config.USER_RATE_LIMIT_PER_MINUTE, durationSeconds: 60, redis });
    const anonymousWriteLimiter = createRateLimiter({ name: 'anonymous-writes', points: config.ANONYMOUS_WRITE_RATE_LIMIT_PER_MINUTE, durationSeconds: 60, redis });
    const apiKeyFailureLimiter = createRateLimiter({ name: 'api-key-failures', points: config.API_KEY_FAILURE_RATE_LIMIT_PER_MINUTE, durationSeconds: 60, redis });
    const resets = new PasswordResetRepository(prisma, schema);
    const passwordResetLimiter = createRateLimiter({ name: 'password-reset', points: config.PASSWORD_RESET_RATE_LIMIT_PER_MINUTE, durationSeconds: 60, redis });
    const resetsPerAccount = createRateLimiter({ name: 'password-reset-account', points: config.PASSWORD_RESET_PER_ACCOUNT_PER_HOUR, durationSeconds: 3600, redis });
    const anonymousWrites = new Counter({
      name: 'ttelgo_gateway_anonymous_writes_total',
      help: 'State-changing requests that authenticated nobody, counted instead of audited, by route and status',
      labelNames: ['route', 'status'] as const,
      registers: [metrics.registry],
    });

    const cleanup = startCleanupJob({
      lockDb: { databaseUrl },
      schema,
      intervalMs: config.IDEMPOTENCY_CLEANUP_INTERVAL_MS,
      logger,
      tasks: {
        idempotencyRecords: () => idempotencyRecords.deleteExpired(),
        refreshTokens: () => refreshTokens.deleteExpired(7 * 24 * HOUR_MS),
        passwordResetTokens: () => resets.deleteExpired(24 * HOUR_MS),
        auditLog: () => auditLog.deleteOlderThan(new Date(Date.now() - config.AUDIT_RETENTION_DAYS * 24 * HOUR_MS)),
      },
    });
    closers.add('cleanup job', () => cleanup.stop());

    const vendorLimiter = createVendorRateLimiter({ redis });

    const authn = authenticate({ signer, users, logger, limiter: userLimiter });
    const app = createGatewayHttpApp({
      logger,
      metrics,
      esim: esimCaller,
      order: orderCaller,
      catalogueCache,
      onCatalogueCacheOutcome: (outcome) => cacheOutcomes.inc({ outcome }),
      openApi: buildOpenApiDocument({ publicBaseUrl: config.PUBLIC_BASE_URL }),
      trustProxy: config.TRUST_PROXY,
      audit: auditLog,
      onAnonymousWrite: (entry) => anonymousWrites.inc({ route: entry.action, status: String(entry.statusCode) }),
      anonymousWriteLimit: anonymousWriteLimiter,
      auth: {
        users,
        hasher,
        sessions,
        refreshTokens,
        authenticate: authn,
        throttling: loginThrottling(config, redis),
        credentialsLimit: rateLimitByIp(credentialsLimiter, logger),
        refreshLimit: rateLimitByIp(refreshLimiter, logger),
      },
      passwordReset: { users, resets, hasher, notification, accountLimiter: resetsPerAccount, limit: rateLimitByIp(passwordResetLimiter, logger) },
      orderIdempotency: idempotency({
        store: idempotencyRecords,
        principal: (req) => `user:${principalOf(req).userId}`,
        required: true,
        ttlMs: config.IDEMPOTENCY_TTL_HOURS * HOUR_MS,
        logger,
      }),
      stripeWebhook: { verifier: new StripeSignatureVerifier(config.stripeWebhookSecret), publisher, logger },
      esimGoWebhook: {
        verifier: config.ESIMGO_CALLBACK_SIGNING_KEY === undefined ? undefined : new EsimGoSignatureVerifier(config.ESIMGO_CALLBACK_SIGNING_KEY),
        publisher,
        logger,
      },
      vendor: {
        billing,
        notification,
        authenticate: authenticateVendor({
          access: vendorAccess,
          limiter: vendorLimiter,
          failures: apiKeyFailureLimiter,
          touch: (keyId) => apiKeys.touch(keyId, LAST_USED_WRITE_INTERVAL_MS),
          logger,
        }),
        idempotency: idempotency({
          store: idempotencyRecords,
          principal: (req) => `vendor:${vendorOf(req).vendorId}${vendorOf(req).livemode ? '' : ':test'}`,
          required: true,
          ttlMs: config.IDEMPOTENCY_TTL_HOURS * HOUR_MS,
          logger,
        }),
        pollMinMs: config.PREFER_WAIT_POLL_MIN_MS,
        pollMaxMs: config.PREFER_WAIT_POLL_MAX_MS,
      },
      installApnRules: config.installApnRules,
      sandboxWebhooks,
      admin: {
        billing,
        sandbox: sandbox ? { billing: sandbox, openingBalance: config.SANDBOX_OPENING_BALANCE } : undefined,
        keys: apiKeys,
        auditLog,
        deadLetters: { repo: deadLetters, publisher: replayPublisher },
        idempotency: idempotency({
          store: idempotencyRecords,
          principal: (req) => `user:${principalOf(req).userId}`,
          required: false,
          ttlMs: config.IDEMPOTENCY_TTL_HOURS * HOUR_MS,
          logger,
        }),
        forgetKey: (keyId) => vendorAccess.forgetKey(keyId),
        forgetVendor: (vendorId) => vendors.invalidate(vendorId),
      },
    });
    const http = await listen(app, config.PORT);
    closers.add('http server', () => http.close());

    logger.info({ port: http.port, opsPort: ops.port, schema }, 'gateway started');
    let closing: Promise<void> | undefined;
    return {
      port: http.port,
      opsPort: ops.port,
      runCleanupNow: () => cleanup.runNow(),
      close: () => (closing ??= closers.closeAll().then(() => logger.info('gateway stopped'))),
    };
  } catch (err) {
    await closers.closeAll();
    throw err;
  }
}
