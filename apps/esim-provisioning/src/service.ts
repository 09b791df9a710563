/**
 * Composition root of esim-provisioning: migrations, Postgres, RabbitMQ (topology, outbox relay, RPC server,
 * the provision command and usage alert consumers), the eSIM Go client, the in-memory catalogue snapshot, the catalogue sync,
 * provider-order reconciliation and usage sync jobs and the ops server.
 * Every port may be 0; close() stops everything in reverse order of start.
 */
import Redis from 'ioredis';
import { PgTransactions, PrismaInboxStore, createPrismaClient, findMigrationsDir, runMigrations, startOutboxRuntime } from '@ttelgo/db';
import { createBrokerConnection, createClosers, startServiceOps } from '@ttelgo/runtime';
import { ConfirmPublisher, RpcServer, declareCommandExchange, declareEventExchange } from '@ttelgo/messaging';
import { createLogger, createMetrics, type Logger, type ServiceMetrics } from '@ttelgo/observability';
import { CatalogueSnapshot } from './application/catalogue-snapshot';
import { GetBundleUseCase } from './application/get-bundle.use-case';
import { GetEsimQrCodeUseCase } from './application/get-esim-qr-code.use-case';
import { GetEsimUseCase } from './application/get-esim.use-case';
import { ListEsimsUseCase } from './application/list-esims.use-case';
import { ProvisionEsimsUseCase } from './application/provision-esims.use-case';
import { ProvisioningPause } from './application/provisioning-pause';
import { RecordUsageUseCase } from './application/record-usage.use-case';
import { BundleNoticeRecorder } from './application/record-bundle-notices';
import { RecordAttachmentUseCase } from './application/record-attachment.use-case';
import { RevokeBundlesUseCase } from './application/revoke-bundles.use-case';
import { RevocationsRepository } from './infrastructure/revocations.repository';
import { EsimGoRevocationsGateway } from './infrastructure/esimgo/esimgo-revocations.gateway';
import { ReconcileProviderOrdersUseCase, type ReconcileResult } from './application/reconcile-provider-orders.use-case';
import { ListBundlesUseCase } from './application/list-bundles.use-case';
import { SyncCatalogueUseCase, type SyncResult } from './application/sync-catalogue.use-case';
import { SyncUsageUseCase } from './application/sync-usage.use-case';
import type { EsimProvisioningConfig } from './config';
import { startCatalogueSyncJob } from './entry-points/jobs/catalogue-sync.job';
import { startReconcileProviderOrdersJob } from './entry-points/jobs/reconcile-provider-orders.job';
import { startUsageSyncJob, type UsageSyncRunResult } from './entry-points/jobs/usage-sync.job';
import { startProvisionCommandsConsumer } from './entry-points/messaging/provision-commands.consumer';
import { startUsageAlertsConsumer } from './entry-points/messaging/usage-alerts.consumer';
import { ProcessedMessages } from './infrastructure/processed-messages.repository';
import { registerEsimQueryRpcs } from './entry-points/rpc/esim-queries.rpc';
import { registerGetBundleRpc } from './entry-points/rpc/get-bundle.rpc';
import { registerListBundlesRpc } from './entry-points/rpc/list-bundles.rpc';
import { registerExchangeRatesRpc } from './entry-points/rpc/exchange-rates.rpc';
import { registerQuoteTopupRpc } from './entry-points/rpc/quote-topup.rpc';
import { QuoteTopupUseCase } from './application/quote-topup.use-case';
import { CatalogueRepository } from './infrastructure/catalogue.repository';
import { EsimGoCatalogueGateway } from './infrastructure/esimgo/esimgo-catalogue.gateway';
import { EsimGoNetworksGateway } from './infrastructure/esimgo/esimgo-networks.gateway';
import { EsimGoClient } from './infrastructure/esimgo/esimgo.client';
import { EsimGoOrdersGateway } from './infrastructure/esimgo/esimgo-orders.gateway';
import { EsimsRepository } from './infrastructure/esims.repository';
import { ProvisioningRepository } from './infrastructure/provisioning.repository';
import { registerProvisioningMetrics } from './infrastructure/provisioning.metrics';
import { renderQrPng } from './infrastructure/qr-code.renderer';
import { PrismaClient } from './infrastructure/generated/prisma/client';

export const SERVICE_NAME = 'esim-provisioning';
/** Owner segment of our message names (esim.*): our RPC queue and event exchange. */
export const MESSAGE_OWNER = 'esim';
export const DEFAULT_MIGRATIONS_DIR = findMigrationsDir(__dirname, 'esim-provisioning');

export interface EsimProvisioningHandle {
  opsPort: number;
  metrics: ServiceMetrics;
  /** Runs a catalogue sync now (after a running one); 'skipped' when another replica holds the lock. */
  syncCatalogueNow(): Promise<SyncResult>;
  /** Re-drives due unfinished provider orders now; undefined when another replica holds the lock. */
  reconcileProviderOrdersNow(): Promise<ReconcileResult | undefined>;
  /** Runs the usage and expiry sync now (after a running one); 'skipped' when another replica holds the lock. */
  syncUsageNow(): Promise<UsageSyncRunResult>;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  metrics?: ServiceMetrics;
  migrationsDir?: string;
  /** Catalogue page size asked from eSIM Go (default and most: 50). */
  cataloguePerPage?: number;
  /** Retry delays of the provision command consumer (default 2 s, 10 s, 1 min, 5 min; then the DLQ). */
  provisionRetryDelaysMs?: number[];
}

export async function startEsimProvisioning(config: EsimProvisioningConfig, opts: StartOptions = {}): Promise<EsimProvisioningHandle> {
  const logger = opts.logger ?? createLogger({ service: SERVICE_NAME, level: config.logLevel });
  const metrics = opts.metrics ?? createMetrics(SERVICE_NAME);
  const migrationsDir = opts.migrationsDir ?? DEFAULT_MIGRATIONS_DIR;
  const { databaseUrl, schema } = config;
  // Closed in reverse order, also when start fails half-way.
  const closers = createClosers(logger, SERVICE_NAME);

  try {
    await runMigrations({ databaseUrl, schema, migrationsDir, logger });

    const prisma = createPrismaClient(PrismaClient, { databaseUrl, schema, poolMax: config.dbPoolMax, logger });
    closers.add('prisma', () => prisma.$disconnect());
    const repository = new CatalogueRepository(prisma, schema);

    const conn = createBrokerConnection({
      url: config.amqpUrl,
      name: SERVICE_NAME,
      logger,
      closers,
      declare: async (ch) => {
        await declareEventExchange(ch, MESSAGE_OWNER);
        await declareCommandExchange(ch, MESSAGE_OWNER);
      },
    });
    await conn.start();

    const publisher = new ConfirmPublisher(conn, { logger, metrics });
    // The outbox relay, and the hourly clean-up of sent outbox rows and old inbox rows.
    const outbox = await startOutboxRuntime({ databaseUrl, schema, publisher, logger, metrics });
    closers.add('outbox relay and retention', () => outbox.stop());

    let redis: Redis | undefined;
    if (config.redisUrl) {
      // No offline queue: a limiter call while Redis is away fails at once and the insurance limiter answers.
      redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
      redis.on('error', (err) => logger.warn({ err }, 'Redis error (outbound rate limit falls back to per-replica)'));
      const client = redis;
      closers.add('redis', async () => void (await client.quit().catch(() => client.disconnect())));
    }
    const esimGo = new EsimGoClient({ ...config.esimGo, ...(redis ? { redis } : {}), replicas: config.replicas, logger, metrics });
    closers.add('esimgo client', () => esimGo.close());
    const gateway = new EsimGoCatalogueGateway(esimGo, {
      currency: config.catalogueCurrency,
      logger,
      ...(opts.cataloguePerPage ? { perPage: opts.cataloguePerPage } : {}),
    });

    const snapshot = new CatalogueSnapshot(repository, { logger });
    await snapshot.refresh();
    const pricing = { retailMarkupBps: config.retailMarkupBps, exchangeRates: config.exchangeRates, topUpGroups: config.topUpGroups };

    const rpc = new RpcServer(conn, { owner: MESSAGE_OWNER, logger, metrics });
    registerListBundlesRpc(rpc, new ListBundlesUseCase(snapshot, pricing));
    registerGetBundleRpc(rpc, new GetBundleUseCase(snapshot, pricing));
    registerExchangeRatesRpc(rpc, config.exchangeRates);
    // The per-order provisioning path on node-postgres directly (see ProvisioningRepository).
    const sql = new PgTransactions({ databaseUrl, schema, poolMax: config.dbPoolMax, applicationName: `ttelgo:${schema}:tx`, logger });
    closers.add('postgres pool', () => sql.end());
    const provisioning = new ProvisioningRepository(prisma, sql, schema);
    const esims = new EsimsRepository(prisma, schema);
    const notices = new BundleNoticeRecorder({ repository: esims, thresholds: config.usageNoticeThresholds, producer: SERVICE_NAME, logger });
    const orders = new EsimGoOrdersGateway(esimGo, { logger, sendClientReference: config.provisioning.sendClientReference });
    registerEsimQueryRpcs(rpc, {
      get: new GetEsimUseCase({
        repository: esims,
        provider: orders,
        logger,
        usageRefreshAfterMs: config.provisioning.usageRefreshAfterMs,
        usageRefreshBudgetMs: config.provisioning.usageRefreshBudgetMs,
        notices,
      }),
      list: new ListEsimsUseCase(esims),
      qr: new GetEsimQrCodeUseCase({ repository: esims, render: renderQrPng }),
    });
    registerQuoteTopupRpc(
      rpc,
      new QuoteTopupUseCase({
        snapshot,
        repository: esims,
        provider: orders,
        retailMarkupBps: config.retailMarkupBps,
        budgetMs: config.provisioning.topupCompatibilityBudgetMs,
      }),
    );
    await rpc.start();
    closers.add('rpc server', () => rpc.stop());

    const job = startCatalogueSyncJob({
      useCase: new SyncCatalogueUseCase({ source: gateway, networks: new EsimGoNetworksGateway(esimGo, { logger }), repository, logger, producer: SERVICE_NAME }),
      lockDb: { databaseUrl },
      schema,
      intervalMs: config.catalogueSyncIntervalMs,
      logger,
      afterSync: () => snapshot.refresh(),
    });
    closers.add('catalogue sync job', () => job.stop());

    const provisioningMetrics = registerProvisioningMetrics(metrics, { repository: provisioning, deadlineMs: config.provisioning.deadlineMs, logger });
    const pause = new ProvisioningPause({
      pauseMs: config.provisioning.pauseMs,
      // Pausing is logged (at error, with the refusal) where it happens; its end here.
      onChange: (paused) => {
        provisioningMetrics.setPaused(paused);
        if (!paused) logger.warn('provisioning pause over: the next order tries eSIM Go again');
      },
    });
    const provision = new ProvisionEsimsUseCase({
      repository: provisioning,
      provider: orders,
      logger,
      producer: SERVICE_NAME,
      leaseMs: config.provisioning.leaseMs,
      deadlineMs: config.provisioning.deadlineMs,
      pause,
    });
    // No transaction is held while the handler talks to eSIM Go: the message id is recorded after the idempotent use case.
    const inbox = new ProcessedMessages(prisma);
    const revocations = new RevokeBundlesUseCase({
      repository: new RevocationsRepository(prisma, esims),
      reader: orders,
      revoker: new EsimGoRevocationsGateway(esimGo),
      producer: SERVICE_NAME,
      logger,
    });
    const consumer = startProvisionCommandsConsumer(conn, {
      useCase: provision,
      revocations,
      inbox,
      logger,
      metrics,
      ...(opts.provisionRetryDelaysMs ? { retryDelaysMs: opts.provisionRetryDelaysMs } : {}),
    });
    closers.add('provision commands consumer', () => consumer.stop());
    // eSIM Go usage alerts pushed through the gateway: short transactions (inbox row + one row update).
    const usageAlerts = startUsageAlertsConsumer(conn, {
      useCase: new RecordUsageUseCase({ repository: esims, logger, notices }),
      attachments: new RecordAttachmentUseCase({ repository: esims, logger }),
      inbox: new PrismaInboxStore(prisma),
      logger,
      metrics,
    });
    closers.add('usage alerts consumer', () => usageAlerts.stop());

    const reconcileJob = startReconcileProviderOrdersJob({
      useCase: new ReconcileProviderOrdersUseCase({ repository: provisioning, provision, logger }),
      lockDb: { databaseUrl },
      schema,
      intervalMs: config.provisioning.reconcileIntervalMs,
      logger,
    });
    closers.add('provider order reconcile job', () => reconcileJob.stop());

    // The same eSIM Go client as everything else: one rate limit (shared through Redis) and one breaker.
    const usageSyncJob = startUsageSyncJob({
      useCase: new SyncUsageUseCase({
        repository: esims,
        provider: orders,
        providerUnavailable: () => esimGo.breakerState === 'open',
        logger,
        notices,
        ...config.usageSync,
      }),
      lockDb: { databaseUrl },
      schema,
      intervalMs: config.usageSync.intervalMs,
      firstRunDelayMs: config.usageSync.firstRunDelayMs,
      logger,
    });
    closers.add('usage sync job', () => usageSyncJob.stop());

    const ops = await startServiceOps({ port: config.opsPort, logger, metrics, closers, postgres: { prisma, databaseUrl, schema, migrationsDir }, conn });
    logger.info(
      { opsPort: ops.port, schema, replicas: config.replicas, esimGoBudget: redis ? 'shared by every replica through Redis' : 'this process only (one replica)' },
      'esim-provisioning started',
    );

    return {
      opsPort: ops.port,
      metrics,
      syncCatalogueNow: () => job.runNow(),
      reconcileProviderOrdersNow: () => reconcileJob.runNow(),
      syncUsageNow: () => usageSyncJob.runNow(),
      close: () => closers.closeAll(),
    };
  } catch (err) {
    await closers.closeAll();
    throw err;
  }
}
