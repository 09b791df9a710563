/**
 * Composition root of order: migrations, Postgres, RabbitMQ (topology, outbox relay, RPC client and server,
 * consumers), the expiry and reconciliation jobs and the ops server. Every port may be 0; close() stops
 * everything in reverse order of start.
 */
import { PgInboxStore, PgTransactions, createPrismaClient, findMigrationsDir, runMigrations, startOutboxRuntime } from '@ttelgo/db';
import { createBrokerConnection, createClosers, startServiceOps } from '@ttelgo/runtime';
import { ConfirmPublisher, RpcClient, RpcServer, declareCommandExchange, declareEventExchange } from '@ttelgo/messaging';
import { createLogger, createMetrics, type Logger, type ServiceMetrics } from '@ttelgo/observability';
import { ExpireUnpaidOrdersUseCase } from './application/expire-unpaid-orders.use-case';
import { GetOrderUseCase } from './application/get-order.use-case';
import { RefundOrderUseCase } from './application/refund-order.use-case';
import { ListOrdersUseCase } from './application/list-orders.use-case';
import { OnEsimProvisionedUseCase } from './application/on-esim-provisioned.use-case';
import { OnBundlesRevokedUseCase } from './application/on-bundles-revoked.use-case';
import { OnEsimProvisioningFailedUseCase } from './application/on-esim-provisioning-failed.use-case';
import { OnFundsRejectedUseCase } from './application/on-funds-rejected.use-case';
import { OnFundsReservedUseCase } from './application/on-funds-reserved.use-case';
import { OnFundsSettledUseCase } from './application/on-funds-settled.use-case';
import { OnOrderChargeRefundedUseCase } from './application/on-order-charge-refunded.use-case';
import { OnPaymentCanceledUseCase } from './application/on-payment-canceled.use-case';
import { OnPaymentFailedUseCase } from './application/on-payment-failed.use-case';
import { OnPaymentMismatchedUseCase } from './application/on-payment-mismatched.use-case';
import { OnPaymentRefundedUseCase } from './application/on-payment-refunded.use-case';
import { OnPaymentSucceededUseCase } from './application/on-payment-succeeded.use-case';
import { OrderTransitions } from './application/order.transitions';
import { PlaceOrderUseCase } from './application/place-order.use-case';
import { ReconcileStuckOrdersUseCase } from './application/reconcile-stuck-orders.use-case';
import type { OrderConfig } from './config';
import { startExpireUnpaidOrdersJob } from './entry-points/jobs/expire-unpaid-orders.job';
import { startReconcileStuckOrdersJob } from './entry-points/jobs/reconcile-stuck-orders.job';
import { startBillingEventsConsumer } from './entry-points/messaging/on-billing-events.handler';
import { startEsimEventsConsumer } from './entry-points/messaging/on-esim-events.handler';
import { startPaymentEventsConsumer } from './entry-points/messaging/on-payment-events.handler';
import { startPricingCacheInvalidation } from './entry-points/messaging/pricing-cache.consumer';
import { registerGetOrderRpc } from './entry-points/rpc/get-order.rpc';
import { registerRefundOrderRpc } from './entry-points/rpc/refund-order.rpc';
import { registerListOrdersRpc } from './entry-points/rpc/list-orders.rpc';
import { registerQuoteRpcs } from './entry-points/rpc/quotes.rpc';
import { registerCancelOrderRpc } from './entry-points/rpc/cancel-order.rpc';
import { CancelOrderUseCase } from './application/cancel-order.use-case';
import { QuotesUseCase } from './application/quotes.use-case';
import { QuoteRepository } from './infrastructure/quote.repository';
import { registerPlaceOrderRpc } from './entry-points/rpc/place-order.rpc';
import { BillingClient } from './infrastructure/billing.client';
import { CatalogueClient } from './infrastructure/catalogue.client';
import { PrismaClient } from './infrastructure/generated/prisma/client';
import { registerOrderMetrics } from './infrastructure/order.metrics';
import { OrderRepository } from './infrastructure/order.repository';
import { PaymentClient } from './infrastructure/payment.client';
import { CachedCatalogue, CachedVendors } from './infrastructure/pricing.cache';

export const SERVICE_NAME = 'order';
/** Owner segment of our message names (order.*): our RPC queue and event exchange. */
export const MESSAGE_OWNER = 'order';
export const DEFAULT_MIGRATIONS_DIR = findMigrationsDir(__dirname, 'order');

export interface OrderHandle {
  opsPort: number;
  metrics: ServiceMetrics;
  /** Runs the expiry job, then the reconciliation job, now (each after a running one of its kind). */
  runJobsNow(): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  metrics?: ServiceMetrics;
  migrationsDir?: string;
  /** Delays of the consumer queues' retry queues (tests shorten them). */
  consumerRetryDelaysMs?: number[];
}

export async function startOrder(config: OrderConfig, opts: StartOptions = {}): Promise<OrderHandle> {
  const logger = opts.logger ?? createLogger({ service: SERVICE_NAME, level: config.logLevel });
  const metrics = opts.metrics ?? createMetrics(SERVICE_NAME);
  const migrationsDir = opts.migrationsDir ?? DEFAULT_MIGRATIONS_DIR;
  const { databaseUrl, schema } = config;
  // Closed in reverse order, also when start fails half-way.
  const closers = createClosers(logger, SERVICE_NAME);

  try {
    await runMigrations({ databaseUrl, schema, migrationsDir, logger });

    // Prisma serves the reads (lists, lookups); the write path has its own pool (PgTransactions below).
    const prisma = createPrismaClient(PrismaClient, { databaseUrl, schema, poolMax: Math.min(4, config.dbPoolMax), logger });
    closers.add('prisma', () => prisma.$disconnect());
    // The write path (message handlers' inbox transactions, place-order) on node-postgres directly: see PgTransactions.
    const db = new PgTransactions({ databaseUrl, schema, poolMax: config.dbPoolMax, applicationName: `ttelgo:${schema}:tx`, logger });
    closers.add('postgres pool', () => db.end());
    const repository = new OrderRepository(prisma, schema, db);
    const inbox = new PgInboxStore(db, schema);
    registerOrderMetrics(metrics, repository, logger);

    const conn = createBrokerConnection({
      url: config.amqpUrl,
      name: SERVICE_NAME,
      logger,
      closers,
      declare: async (ch) => {
        await declareEventExchange(ch, MESSAGE_OWNER);
        // The relay publishes commands to esim-provisioning, payment and vendor-billing: their exchanges must
        // exist even when we start first (publishing to a missing exchange closes the channel).
        await declareCommandExchange(ch, 'esim');
        await declareCommandExchange(ch, 'payment');
        await declareCommandExchange(ch, 'billing');
      },
    });
    await conn.start();

    const publisher = new ConfirmPublisher(conn, { logger, metrics });
    // The outbox relay, and the hourly clean-up of sent outbox rows and old inbox rows.
    const outbox = await startOutboxRuntime({ databaseUrl, schema, publisher, logger, metrics });
    closers.add('outbox relay and retention', () => outbox.stop());

    const rpcClient = new RpcClient(conn, { logger, metrics, producer: SERVICE_NAME, defaultTimeoutMs: config.rpcTimeoutMs });
    await rpcClient.start();
    closers.add('rpc client', () => rpcClient.stop());

    const transitions = new OrderTransitions({ repository, producer: SERVICE_NAME, logger });

    const consumerOpts = { inbox, logger, metrics, ...(opts.consumerRetryDelaysMs ? { retryDelaysMs: opts.consumerRetryDelaysMs } : {}) };
    const paymentEvents = startPaymentEventsConsumer(conn, {
      ...consumerOpts,
      useCases: {
        succeeded: new OnPaymentSucceededUseCase({ transitions }),
        failed: new OnPaymentFailedUseCase({ transitions }),
        canceled: new OnPaymentCanceledUseCase({ transitions }),
        mismatched: new OnPaymentMismatchedUseCase({ transitions }),
        refunded: new OnPaymentRefundedUseCase({ transitions }),
      },
    });
    closers.add('payment events consumer', () => paymentEvents.stop());
    const esimEvents = startEsimEventsConsumer(conn, {
      ...consumerOpts,
      useCases: {
        provisioned: new OnEsimProvisionedUseCase({ transitions }),
        provisioningFailed: new OnEsimProvisioningFailedUseCase({ transitions }),
        bundlesRevoked: new OnBundlesRevokedUseCase({ transitions }),
      },
    });
    closers.add('esim events consumer', () => esimEvents.stop());
    const billingEvents = startBillingEventsConsumer(conn, {
      ...consumerOpts,
      useCases: {
        reserved: new OnFundsReservedUseCase({ transitions }),
        rejected: new OnFundsRejectedUseCase({ transitions, logger }),
        settled: new OnFundsSettledUseCase({ transitions }),
        chargeRefunded: new OnOrderChargeRefundedUseCase({ transitions }),
      },
    });
    closers.add('billing events consumer', () => billingEvents.stop());

    // place-order's vendor terms and bundle prices, cached per replica and dropped by the broadcast events.
    const vendors = new CachedVendors(new BillingClient({ rpc: rpcClient, timeoutMs: config.rpcTimeoutMs, logger }), { ttlMs: config.vendorCacheTtlMs });
    const catalogue = new CachedCatalogue(new CatalogueClient({ rpc: rpcClient, timeoutMs: config.rpcTimeoutMs, logger }), { ttlMs: config.bundlePriceCacheTtlMs });
    for (const consumer of startPricingCacheInvalidation(conn, { vendors, catalogue, logger, metrics })) {
      closers.add('pricing cache invalidation', () => consumer.stop());
    }

    const rpc = new RpcServer(conn, { owner: MESSAGE_OWNER, logger, metrics });
    registerPlaceOrderRpc(
      rpc,
      new PlaceOrderUseCase({
        repository,
        transitions,
        catalogue,
        payments: new PaymentClient({ rpc: rpcClient, timeoutMs: config.rpcTimeoutMs, logger }),
        vendors,
        logger,
      }),
    );
    registerQuoteRpcs(rpc, new QuotesUseCase({ repository: new QuoteRepository(prisma), catalogue, vendors, validityMs: config.quoteValidityMs }));
    registerCancelOrderRpc(rpc, new CancelOrderUseCase({ transitions, refundWindowMs: config.cancellationWindowMs }));
    registerGetOrderRpc(rpc, new GetOrderUseCase(repository));
    registerListOrdersRpc(rpc, new ListOrdersUseCase(repository));
    registerRefundOrderRpc(rpc, new RefundOrderUseCase({ repository, transitions }));
    await rpc.start();
    closers.add('rpc server', () => rpc.stop());

    const lockDb = { databaseUrl };
    const expiryJob = startExpireUnpaidOrdersJob({
      useCase: new ExpireUnpaidOrdersUseCase({ repository, transitions, timeoutMs: config.paymentTimeoutMs, logger }),
      lockDb,
      schema,
      intervalMs: config.expirySweepIntervalMs,
      logger,
    });
    closers.add('expiry job', () => expiryJob.stop());
    const reconcileJob = startReconcileStuckOrdersJob({
      useCase: new ReconcileStuckOrdersUseCase({ repository, transitions, stuckAfterMs: config.stuckAfterMs, logger }),
      lockDb,
      schema,
      intervalMs: config.reconcileIntervalMs,
      logger,
    });
    closers.add('reconcile job', () => reconcileJob.stop());

    const ops = await startServiceOps({ port: config.opsPort, logger, metrics, closers, postgres: { prisma, databaseUrl, schema, migrationsDir }, conn });
    logger.info({ opsPort: ops.port, schema }, 'order started');

    return {
      opsPort: ops.port,
      metrics,
      runJobsNow: async () => {
        await expiryJob.runNow();
        await reconcileJob.runNow();
      },
      close: () => closers.closeAll(),
    };
  } catch (err) {
    await closers.closeAll();
    throw err;
  }
}
