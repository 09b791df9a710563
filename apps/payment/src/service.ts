/**
 * Composition root of payment: migrations, Postgres, RabbitMQ (topology, outbox relay, RPC server, consumers),
 * the Stripe gateway, the Stripe event retry job and the ops server. Every port may be 0; close() stops
 * everything in reverse order of start.
 */
import { PrismaInboxStore, createPrismaClient, findMigrationsDir, runMigrations, startOutboxRuntime } from '@ttelgo/db';
import { createBrokerConnection, createClosers, startServiceOps } from '@ttelgo/runtime';
import { ConfirmPublisher, RpcServer, declareCommandExchange, declareEventExchange } from '@ttelgo/messaging';
import { createLogger, createMetrics, type Logger, type ServiceMetrics } from '@ttelgo/observability';
import { CancelPaymentUseCase } from './application/cancel-payment.use-case';
import { CreatePaymentIntentUseCase } from './application/create-payment-intent.use-case';
import { HandleStripeEventUseCase } from './application/handle-stripe-event.use-case';
import type { PaymentProvider } from './application/payment-provider.port';
import { PaymentTransitions } from './application/payment.transitions';
import { RefundPaymentUseCase } from './application/refund-payment.use-case';
import { RetryFailedStripeEventsUseCase } from './application/retry-failed-stripe-events.use-case';
import { StripeEventProcessor } from './application/stripe-event.processor';
import type { PaymentConfig } from './config';
import { startRetryFailedStripeEventsJob, type RetryRun } from './entry-points/jobs/retry-failed-stripe-events.job';
import { startHandleStripeEventConsumer } from './entry-points/messaging/on-handle-stripe-event.handler';
import { startPaymentCommandsConsumer } from './entry-points/messaging/payment-commands.consumer';
import { registerCreatePaymentIntentRpc } from './entry-points/rpc/create-payment-intent.rpc';
import { PrismaClient } from './infrastructure/generated/prisma/client';
import { PaymentRepository } from './infrastructure/payment.repository';
import { StripeGateway } from './infrastructure/stripe/stripe.gateway';
import { StripeEventRepository } from './infrastructure/stripe-event.repository';

export const SERVICE_NAME = 'payment';
/** Owner segment of our message names (payment.*): our RPC queue, command exchange and event exchange. */
export const MESSAGE_OWNER = 'payment';
export const DEFAULT_MIGRATIONS_DIR = findMigrationsDir(__dirname, 'payment');

export interface PaymentHandle {
  opsPort: number;
  metrics: ServiceMetrics;
  /** Runs the Stripe event retry now (after a running one); `{ skipped: true }` when another replica holds the lock. */
  retryStripeEventsNow(): Promise<RetryRun>;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  metrics?: ServiceMetrics;
  migrationsDir?: string;
  /** Delays of the `payment.commands` retry queues (tests shorten them). */
  commandRetryDelaysMs?: number[];
}

export async function startPayment(config: PaymentConfig, opts: StartOptions = {}): Promise<PaymentHandle> {
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
    const payments = new PaymentRepository(prisma, schema);
    const events = new StripeEventRepository(prisma);
    // Command handlers call Stripe inside the inbox transaction (with the payment row locked): allow for the
    // SDK's timeout and retries.
    const inbox = new PrismaInboxStore(prisma, { timeoutMs: 4 * config.stripe.timeoutMs + 10_000 });

    const provider: PaymentProvider = new StripeGateway({ ...config.stripe, logger, metrics });
    if (config.stripe.apiBase) logger.info({ apiBase: config.stripe.apiBase }, 'Stripe API base overridden (stripe-sim)');

    const transitions = new PaymentTransitions({ payments, producer: SERVICE_NAME, logger });
    const processor = new StripeEventProcessor({
      payments,
      events,
      provider,
      transitions,
      logger,
      maxAttempts: config.stripeEvents.maxAttempts,
      retryDelayMs: 0,
    });

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

    const rpc = new RpcServer(conn, { owner: MESSAGE_OWNER, logger, metrics });
    registerCreatePaymentIntentRpc(rpc, new CreatePaymentIntentUseCase({ payments, provider, logger }));
    await rpc.start();
    closers.add('rpc server', () => rpc.stop());

    const stripeEvents = startHandleStripeEventConsumer(conn, {
      useCase: new HandleStripeEventUseCase({ inbox, events, processor, logger }),
      logger,
      metrics,
    });
    closers.add('stripe events consumer', () => stripeEvents.stop());

    const commands = startPaymentCommandsConsumer(conn, {
      refund: new RefundPaymentUseCase({ payments, provider, transitions, logger }),
      cancel: new CancelPaymentUseCase({ payments, provider, transitions, logger }),
      inbox,
      logger,
      metrics,
      ...(opts.commandRetryDelaysMs ? { retryDelaysMs: opts.commandRetryDelaysMs } : {}),
    });
    closers.add('commands consumer', () => commands.stop());

    const job = startRetryFailedStripeEventsJob({
      useCase: new RetryFailedStripeEventsUseCase({ events, processor, logger, staleAfterMs: config.stripeEvents.staleAfterMs }),
      lockDb: { databaseUrl },
      schema,
      intervalMs: config.stripeEvents.retryIntervalMs,
      logger,
    });
    closers.add('stripe event retry job', () => job.stop());

    const ops = await startServiceOps({ port: config.opsPort, logger, metrics, closers, postgres: { prisma, databaseUrl, schema, migrationsDir }, conn });
    logger.info({ opsPort: ops.port, schema, stripeApi: config.stripe.apiBase ?? 'https://api.stripe.com' }, 'payment started');

    return {
      opsPort: ops.port,
      metrics,
      retryStripeEventsNow: () => job.runNow(),
      close: () => closers.closeAll(),
    };
  } catch (err) {
    await closers.closeAll();
    throw err;
  }
}
