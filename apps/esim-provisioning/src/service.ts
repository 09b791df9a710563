/**
 * Composition root of esim-provisioning: migrations, Postgres, RabbitMQ (topology, outbox relay, RPC server,
 * the provision command consumer), the eSIM Go client, the in-memory catalogue snapshot, the catalogue sync and
 * provider-order reconciliation jobs and the ops server.
 * Every port may be 0; close() stops everything in reverse order of start.
 */
import { resolve } from 'node:path';
import Redis from 'ioredis';
import { OutboxRelay, PrismaInboxStore, createPrismaClient, pendingMigrations, runMigrations } from '@ttelgo/db';
import { startOpsServer } from '@ttelgo/http';
import { AmqpConnection, ConfirmPublisher, RpcServer, declareCommandExchange, declareEventExchange } from '@ttelgo/messaging';
import { createLogger, createMetrics, type Logger, type ServiceMetrics } from '@ttelgo/observability';
import { CatalogueSnapshot } from './application/catalogue-snapshot';
import { GetBundleUseCase } from './application/get-bundle.use-case';
import { GetEsimQrCodeUseCase } from './application/get-esim-qr-code.use-case';
import { GetEsimUseCase } from './application/get-esim.use-case';
import { ListEsimsUseCase } from './application/list-esims.use-case';
import { ProvisionEsimsUseCase } from './application/provision-esims.use-case';
import { ReconcileProviderOrdersUseCase, type ReconcileResult } from './application/reconcile-provider-orders.use-case';
import { ListBundlesUseCase } from './application/list-bundles.use-case';
import { SyncCatalogueUseCase, type SyncResult } from './application/sync-catalogue.use-case';
import type { EsimProvisioningConfig } from './config';
import { startCatalogueSyncJob } from './entry-points/jobs/catalogue-sync.job';
import { startReconcileProviderOrdersJob } from './entry-points/jobs/reconcile-provider-orders.job';
import { startProvisionCommandsConsumer } from './entry-points/messaging/provision-commands.consumer';
import { registerEsimQueryRpcs } from './entry-points/rpc/esim-queries.rpc';
import { registerGetBundleRpc } from './entry-points/rpc/get-bundle.rpc';
import { registerListBundlesRpc } from './entry-points/rpc/list-bundles.rpc';
import { CatalogueRepository } from './infrastructure/catalogue.repository';
import { EsimGoCatalogueGateway } from './infrastructure/esimgo/esimgo-catalogue.gateway';
import { EsimGoClient } from './infrastructure/esimgo/esimgo.client';
import { EsimGoOrdersGateway } from './infrastructure/esimgo/esimgo-orders.gateway';
import { ProvisioningRepository } from './infrastructure/provisioning.repository';
import { renderQrPng } from './infrastructure/qr-code.renderer';
import { PrismaClient } from './infrastructure/generated/prisma/client';

export const SERVICE_NAME = 'esim-provisioning';
/** Owner segment of our message names (esim.*): our RPC queue and event exchange. */
export const MESSAGE_OWNER = 'esim';
export const DEFAULT_MIGRATIONS_DIR = resolve(__dirname, '../../../prisma/esim-provisioning/migrations');

export interface EsimProvisioningHandle {
  opsPort: number;
  metrics: ServiceMetrics;
  /** Runs a catalogue sync now (after a running one); 'skipped' when another replica holds the lock. */
  syncCatalogueNow(): Promise<SyncResult>;
  /** Re-drives due unfinished provider orders now; undefined when another replica holds the lock. */
  reconcileProviderOrdersNow(): Promise<ReconcileResult | undefined>;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  metrics?: ServiceMetrics;
  migrationsDir?: string;
  /** Catalogue page size asked from eSIM Go (default 1000). */
  cataloguePerPage?: number;
  /** Retry delays of the provision command consumer (default 2 s, 10 s, 1 min, 5 min; then the DLQ). */
  provisionRetryDelaysMs?: number[];
}

export async function startEsimProvisioning(config: EsimProvisioningConfig, opts: StartOptions = {}): Promise<EsimProvisioningHandle> {
  const logger = opts.logger ?? createLogger({ service: SERVICE_NAME, level: config.logLevel });
  const metrics = opts.metrics ?? createMetrics(SERVICE_NAME);
  const migrationsDir = opts.migrationsDir ?? DEFAULT_MIGRATIONS_DIR;
  const { databaseUrl, schema } = config;
  // Closers run in reverse order, also when start fails half-way.
  const closers: Array<{ name: string; fn: () => Promise<void> | void }> = [];
  const closeAll = async (): Promise<void> => {
    for (const closer of closers.splice(0).reverse()) {
      try {
        await closer.fn();
      } catch (err) {
        logger.error({ err, step: closer.name }, 'error while stopping esim-provisioning');
      }
    }
  };

  try {
    await runMigrations({ databaseUrl, schema, migrationsDir, logger });
    // Re-verified by the first readiness probe rather than assumed; once applied they stay applied.
    let migrationsApplied = false;

    const prisma = createPrismaClient(PrismaClient, { databaseUrl, schema });
    closers.push({ name: 'prisma', fn: () => prisma.$disconnect() });
    const repository = new CatalogueRepository(prisma, schema);

    const conn = new AmqpConnection({ url: config.amqpUrl, name: SERVICE_NAME, logger });
    conn.declare(async (ch) => {
      await declareEventExchange(ch, MESSAGE_OWNER);
      await declareCommandExchange(ch, MESSAGE_OWNER);
    });
    closers.push({ name: 'amqp', fn: () => conn.close() });
    await conn.start();

    const publisher = new ConfirmPublisher(conn, { logger, metrics });
    const relay = new OutboxRelay({ databaseUrl, schema, publisher, logger, metrics });
    await relay.start();
    closers.push({ name: 'outbox relay', fn: () => relay.stop() });

    let redis: Redis | undefined;
    if (config.redisUrl) {
      // No offline queue: a limiter call while Redis is away fails at once and the insurance limiter answers.
      redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
      redis.on('error', (err) => logger.warn({ err }, 'Redis error (outbound rate limit falls back to per-replica)'));
      const client = redis;
      closers.push({ name: 'redis', fn: async () => void (await client.quit().catch(() => client.disconnect())) });
    }
    const esimGo = new EsimGoClient({ ...config.esimGo, ...(redis ? { redis } : {}), logger, metrics });
    closers.push({ name: 'esimgo client', fn: () => esimGo.close() });
    const gateway = new EsimGoCatalogueGateway(esimGo, {
      currency: config.catalogueCurrency,
      logger,
      ...(opts.cataloguePerPage ? { perPage: opts.cataloguePerPage } : {}),
    });

    const snapshot = new CatalogueSnapshot(repository, { logger });
    await snapshot.refresh();
    const pricing = { retailMarkupBps: config.retailMarkupBps };

    const rpc = new RpcServer(conn, { owner: MESSAGE_OWNER, logger, metrics });
    registerListBundlesRpc(rpc, new ListBundlesUseCase(snapshot, pricing));
    registerGetBundleRpc(rpc, new GetBundleUseCase(snapshot, pricing));
    const provisioning = new ProvisioningRepository(prisma);
    const orders = new EsimGoOrdersGateway(esimGo, { logger, sendClientReference: config.provisioning.sendClientReference });
    registerEsimQueryRpcs(rpc, {
      get: new GetEsimUseCase({
        repository: provisioning,
        provider: orders,
        logger,
        usageRefreshAfterMs: config.provisioning.usageRefreshAfterMs,
        usageRefreshBudgetMs: config.provisioning.usageRefreshBudgetMs,
      }),
      list: new ListEsimsUseCase(provisioning),
      qr: new GetEsimQrCodeUseCase({ repository: provisioning, render: renderQrPng }),
    });
    await rpc.start();
    closers.push({ name: 'rpc server', fn: () => rpc.stop() });

    const job = startCatalogueSyncJob({
      useCase: new SyncCatalogueUseCase({ source: gateway, repository, logger, producer: SERVICE_NAME }),
      lockDb: { databaseUrl },
      lockKey: `${schema}:catalogue-sync`,
      intervalMs: config.catalogueSyncIntervalMs,
      logger,
      afterSync: () => snapshot.refresh(),
    });
    closers.push({ name: 'catalogue sync job', fn: () => job.stop() });

    const provision = new ProvisionEsimsUseCase({
      repository: provisioning,
      provider: orders,
      logger,
      producer: SERVICE_NAME,
      leaseMs: config.provisioning.leaseMs,
    });
    // The inbox transaction stays open while the handler talks to eSIM Go (it holds only the inbox row).
    const inbox = new PrismaInboxStore(prisma, { timeoutMs: Math.max(120_000, config.provisioning.leaseMs) });
    const consumer = startProvisionCommandsConsumer(conn, {
      useCase: provision,
      inbox,
      logger,
      metrics,
      ...(opts.provisionRetryDelaysMs ? { retryDelaysMs: opts.provisionRetryDelaysMs } : {}),
    });
    closers.push({ name: 'provision commands consumer', fn: () => consumer.stop() });

    const reconcileJob = startReconcileProviderOrdersJob({
      useCase: new ReconcileProviderOrdersUseCase({ repository: provisioning, provision, logger }),
      lockDb: { databaseUrl },
      lockKey: `${schema}:reconcile-provider-orders`,
      intervalMs: config.provisioning.reconcileIntervalMs,
      logger,
    });
    closers.push({ name: 'provider order reconcile job', fn: () => reconcileJob.stop() });

    const ops = await startOpsServer({
      port: config.opsPort,
      logger,
      metrics,
      readiness: {
        postgres: async () => {
          await prisma.$queryRaw`SELECT 1`;
          return true;
        },
        migrations: async () => {
          if (!migrationsApplied) migrationsApplied = (await pendingMigrations({ databaseUrl, schema, migrationsDir })).length === 0;
          return migrationsApplied;
        },
        broker: () => conn.isConnected(),
      },
      // A replica cut off from RabbitMQ for minutes serves nothing: let the orchestrator restart it.
      liveness: { broker: () => conn.disconnectedForMs() < 120_000 },
    });
    closers.push({ name: 'ops server', fn: () => ops.close() });
    logger.info({ opsPort: ops.port, schema }, 'esim-provisioning started');

    return {
      opsPort: ops.port,
      metrics,
      syncCatalogueNow: () => job.runNow(),
      reconcileProviderOrdersNow: () => reconcileJob.runNow(),
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
