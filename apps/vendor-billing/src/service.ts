/**
 * Composition root of vendor-billing: migrations, Postgres, RabbitMQ (topology, outbox relay, RPC server and
 * client, consumers), the outbox retention (startOutboxRuntime) and the ops server. Every port may be 0; close() stops everything in
 * reverse order of start.
 */
import { PgInboxStore, PgTransactions, PrismaInboxStore, createPrismaClient, findMigrationsDir, runMigrations, startOutboxRuntime, type SqlTx } from '@ttelgo/db';
import { createBrokerConnection, createClosers, startServiceOps } from '@ttelgo/runtime';
import { ConfirmPublisher, RpcClient, RpcServer, declareEventExchange } from '@ttelgo/messaging';
import { createLogger, createMetrics, type Logger, type ServiceMetrics } from '@ttelgo/observability';
import { AdjustBalanceUseCase } from './application/adjust-balance.use-case';
import { CaptureFundsUseCase } from './application/capture-funds.use-case';
import { CreateTopupUseCase } from './application/create-topup.use-case';
import { RefundOrderChargeUseCase } from './application/refund-order-charge.use-case';
import { CreateVendorUseCase } from './application/create-vendor.use-case';
import { GetBalanceUseCase } from './application/get-balance.use-case';
import { GetStatementUseCase } from './application/get-statement.use-case';
import { GetVendorUseCase } from './application/get-vendor.use-case';
import { ListLedgerUseCase } from './application/list-ledger.use-case';
import { ListVendorsUseCase } from './application/list-vendors.use-case';
import { LowBalanceMonitor } from './application/low-balance.monitor';
import { OnPaymentSucceededUseCase } from './application/on-payment-succeeded.use-case';
import { systemClock, type Clock, type PaymentIntentsPort } from './application/ports';
import { RecordPaymentUseCase } from './application/record-payment.use-case';
import { ReleaseFundsUseCase } from './application/release-funds.use-case';
import { ReserveFundsUseCase } from './application/reserve-funds.use-case';
import { UpdateVendorUseCase } from './application/update-vendor.use-case';
import type { VendorBillingConfig } from './config';
import type { VendorDefaults } from './domain/vendor.rules';
import { startFundsCommandsConsumer } from './entry-points/messaging/funds-commands.consumer';
import { startPaymentEventsConsumer } from './entry-points/messaging/payment-events.consumer';
import { registerBillingRpcs } from './entry-points/rpc/billing.rpc';
import { PrismaClient } from './infrastructure/generated/prisma/client';
import { LedgerRepository } from './infrastructure/ledger.repository';
import { PaymentClient } from './infrastructure/payment.client';
import { TopupRepository } from './infrastructure/topup.repository';
import { rawTx } from './infrastructure/sql';
import { VendorRepository } from './infrastructure/vendor.repository';

export const SERVICE_NAME = 'vendor-billing';
/** Owner segment of our message names (billing.*): our RPC queue, command exchange and event exchange. */
export const MESSAGE_OWNER = 'billing';
export const DEFAULT_MIGRATIONS_DIR = findMigrationsDir(__dirname, 'vendor-billing');

/** Repositories and use cases over one Prisma client (the service uses it; tests build one to call use cases directly). */
export function createBillingUseCases(deps: { prisma: PrismaClient; schema: string; payments: PaymentIntentsPort; defaults: VendorDefaults; clock: Clock; logger: Logger }) {
  const { prisma, schema, clock, logger } = deps;
  const vendors = new VendorRepository(prisma, schema);
  const ledger = new LedgerRepository(prisma, schema);
  const topups = new TopupRepository(prisma);
  const lowBalance = new LowBalanceMonitor({ vendors });
  const common = { vendors, ledger, lowBalance, clock, logger };
  return {
    repositories: { vendors, ledger, topups },
    reserve: new ReserveFundsUseCase(common),
    capture: new CaptureFundsUseCase(common),
    release: new ReleaseFundsUseCase(common),
    refund: new RefundOrderChargeUseCase(common),
    paymentSucceeded: new OnPaymentSucceededUseCase({ ...common, topups }),
    rpc: {
      createVendor: new CreateVendorUseCase({ vendors, ledger, defaults: deps.defaults, clock }),
      getVendor: new GetVendorUseCase({ vendors }),
      listVendors: new ListVendorsUseCase({ vendors }),
      updateVendor: new UpdateVendorUseCase({ vendors, ledger, lowBalance, clock }),
      getBalance: new GetBalanceUseCase({ vendors, ledger }),
      listLedger: new ListLedgerUseCase({ vendors, ledger }),
      adjustBalance: new AdjustBalanceUseCase({ vendors, ledger, lowBalance, clock }),
      recordPayment: new RecordPaymentUseCase({ vendors, ledger, lowBalance, clock }),
      createTopup: new CreateTopupUseCase({ vendors, topups, payments: deps.payments, clock, logger }),
      getStatement: new GetStatementUseCase({ vendors, ledger }),
    },
  };
}

export type BillingUseCases = ReturnType<typeof createBillingUseCases>;

export interface VendorBillingHandle {
  opsPort: number;
  metrics: ServiceMetrics;
  runRetentionNow(): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  metrics?: ServiceMetrics;
  migrationsDir?: string;
  /** The time use cases stamp ledger rows with (tests write past months through it). */
  clock?: Clock;
  /** Delays of the consumers' retry queues (tests shorten them). */
  consumerRetryDelaysMs?: number[];
}

export async function startVendorBilling(config: VendorBillingConfig, opts: StartOptions = {}): Promise<VendorBillingHandle> {
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
    const inbox = new PrismaInboxStore(prisma);
    // The funds commands (reserve, capture, release: two per B2B order) run on node-postgres directly: prepared
    // statements and short round trips, so the vendor's account row (and the revenue account's) is locked for less time.
    const sql = new PgTransactions({ databaseUrl, schema, poolMax: Math.min(config.fundsPrefetch, 10), applicationName: `ttelgo:${schema}:tx`, logger });
    closers.add('postgres pool', () => sql.end());

    const conn = createBrokerConnection({
      url: config.amqpUrl,
      name: SERVICE_NAME,
      logger,
      closers,
      declare: async (ch) => {
        await declareEventExchange(ch, MESSAGE_OWNER);
      },
    });
    await conn.start();

    const publisher = new ConfirmPublisher(conn, { logger, metrics });
    // The outbox relay, and the clean-up of sent outbox rows and old inbox rows (RETENTION_INTERVAL_MS).
    const outbox = await startOutboxRuntime({ databaseUrl, schema, publisher, logger, metrics, retention: { intervalMs: config.retentionIntervalMs } });
    closers.add('outbox relay and retention', () => outbox.stop());

    const rpcClient = new RpcClient(conn, { logger, metrics, producer: SERVICE_NAME, defaultTimeoutMs: config.rpcTimeoutMs });
    await rpcClient.start();
    closers.add('rpc client', () => rpcClient.stop());

    const useCases = createBillingUseCases({
      prisma,
      schema,
      payments: new PaymentClient({ rpc: rpcClient, timeoutMs: config.rpcTimeoutMs, logger }),
      defaults: config.vendorDefaults,
      clock: opts.clock ?? systemClock,
      logger,
    });

    const retry = opts.consumerRetryDelaysMs ? { retryDelaysMs: opts.consumerRetryDelaysMs } : {};
    const funds = startFundsCommandsConsumer(conn, {
      reserve: useCases.reserve,
      capture: useCases.capture,
      release: useCases.release,
      refund: useCases.refund,
      inbox: new PgInboxStore(sql, schema),
      txOf: (raw) => rawTx(raw as SqlTx),
      logger,
      metrics,
      prefetch: config.fundsPrefetch,
      ...retry,
    });
    closers.add('funds commands consumer', () => funds.stop());
    const payments = startPaymentEventsConsumer(conn, { succeeded: useCases.paymentSucceeded, inbox, logger, metrics, ...retry });
    closers.add('payment events consumer', () => payments.stop());

    const rpc = new RpcServer(conn, { owner: MESSAGE_OWNER, logger, metrics });
    registerBillingRpcs(rpc, useCases.rpc);
    await rpc.start();
    closers.add('rpc server', () => rpc.stop());

    const ops = await startServiceOps({ port: config.opsPort, logger, metrics, closers, postgres: { prisma, databaseUrl, schema, migrationsDir }, conn });
    logger.info({ opsPort: ops.port, schema }, 'vendor-billing started');

    return { opsPort: ops.port, metrics, runRetentionNow: () => outbox.runRetentionNow(), close: () => closers.closeAll() };
  } catch (err) {
    await closers.closeAll();
    throw err;
  }
}
