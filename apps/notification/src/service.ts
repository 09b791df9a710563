/**
 * Composition root of notification: migrations, Postgres, RabbitMQ (order-, billing- and esim-events consumers with
 * the inbox, the set-webhook-endpoint RPC, outbox relay), the e-mail channel (templates, QR, SMTP) and the vendor
 * webhook channel (SSRF guard, signed POSTs), each with its delivery job, and the ops server.
 * Every port may be 0; close() stops everything in reverse order of start.
 */
import { randomUUID } from 'node:crypto';
import { PrismaInboxStore, createPrismaClient, findMigrationsDir, runMigrations, startOutboxRuntime } from '@ttelgo/db';
import { createBrokerConnection, createClosers, startServiceOps } from '@ttelgo/runtime';
import { ConfirmPublisher, RpcServer } from '@ttelgo/messaging';
import { createLogger, createMetrics, type Logger, type ServiceMetrics } from '@ttelgo/observability';
import { DeliverEmailUseCase } from './application/channels/email/deliver-email.use-case';
import { EmailChannel } from './application/channels/email/email.channel';
import { DeliverWebhookUseCase } from './application/channels/webhook/deliver-webhook.use-case';
import { RecordBalanceLowUseCase } from './application/channels/webhook/record-balance-low.use-case';
import { SetWebhookEndpointUseCase } from './application/channels/webhook/set-webhook-endpoint.use-case';
import { WebhookChannel } from './application/channels/webhook/webhook.channel';
import { RecordOrderNoticeUseCase } from './application/record-order-notice.use-case';
import type { NotificationConfig } from './config';
import { startEmailDeliveryJob } from './entry-points/jobs/email-delivery.job';
import { startWebhookDeliveryJob } from './entry-points/jobs/webhook-delivery.job';
import { startBillingEventsConsumer } from './entry-points/messaging/billing-events.consumer';
import { startOrderEventsConsumer } from './entry-points/messaging/order-events.consumer';
import { startEsimEventsConsumer } from './entry-points/messaging/esim-events.consumer';
import { RecordEsimNoticeUseCase } from './application/record-esim-notice.use-case';
import { PrismaEsimContactStore } from './infrastructure/esim-contact.repository';
import { registerAccountEmailRpc } from './entry-points/rpc/account-email.rpc';
import { registerWebhookEndpointRpc } from './entry-points/rpc/webhook-endpoint.rpc';
import { SendAccountEmailUseCase } from './application/send-account-email.use-case';
import { registerVendorEventsRpc } from './entry-points/rpc/vendor-events.rpc';
import { VendorEventsUseCase } from './application/vendor-events/vendor-events.use-case';
import { PrismaVendorEventStore } from './infrastructure/vendor-event.repository';
import { PrismaEmailDeliveryStore } from './infrastructure/email-delivery.repository';
import { PrismaClient } from './infrastructure/generated/prisma/client';
import { PrismaNotificationStore } from './infrastructure/notification.repository';
import { PgWakeupListener, emailDeliveryChannel, webhookDeliveryChannel } from './infrastructure/pg-wakeup.listener';
import { QrCodePngRenderer } from './infrastructure/qr-code.renderer';
import { sealStoredWebhookSecrets } from './infrastructure/seal-webhook-secrets.task';
import { SecretBox } from './infrastructure/secret-box';
import { SmtpMailTransport } from './infrastructure/smtp.transport';
import { PrismaWebhookDeliveryStore } from './infrastructure/webhook-delivery.repository';
import { PrismaWebhookEndpointStore } from './infrastructure/webhook-endpoint.repository';
import { HttpWebhookSender } from './infrastructure/webhook-http.sender';
import { WebhookUrlGuard, type AddressResolver } from './infrastructure/webhook-url.guard';

export const SERVICE_NAME = 'notification';
export const DEFAULT_MIGRATIONS_DIR = findMigrationsDir(__dirname, 'notification');

export interface NotificationHandle {
  opsPort: number;
  metrics: ServiceMetrics;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  metrics?: ServiceMetrics;
  migrationsDir?: string;
  /** Consumer retry delays (tests shorten them). Default: @ttelgo/messaging's. */
  consumerRetryDelaysMs?: readonly number[];
  /** DNS for the webhook SSRF guard (tests pin answers). Default: the system resolver (dns.lookup, all addresses). */
  webhookResolver?: AddressResolver;
}

export async function startNotification(config: NotificationConfig, opts: StartOptions = {}): Promise<NotificationHandle> {
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

    for (const warning of config.insecureDefaults) logger.warn(warning);
    // Webhook secrets are encrypted at rest; rows from before that (plaintext) or under a previous key are
    // rewritten under the current key before any worker or RPC can read them.
    const secretBox = new SecretBox(config.webhooks.secretsKey, config.webhooks.previousSecretsKeys);
    await sealStoredWebhookSecrets({ prisma, box: secretBox, logger });

    // The e-mail channel and its delivery job run before the consumer, so the first notice finds a worker.
    const transport = new SmtpMailTransport({ url: config.smtp.url, connectionTimeoutMs: config.smtp.timeoutMs, socketTimeoutMs: config.smtp.timeoutMs * 3 });
    closers.add('smtp transport', () => transport.close());
    const deliveryStore = new PrismaEmailDeliveryStore(prisma, {
      schema,
      // connection + greeting + data at their limits, with room to record the outcome.
      attemptTimeoutMs: config.smtp.timeoutMs * 6 + 10_000,
    });
    const job = startEmailDeliveryJob({
      useCase: new DeliverEmailUseCase({
        store: deliveryStore,
        transport,
        retryDelaysMs: config.delivery.retryDelaysMs,
        messageIdDomain: config.mailFrom.domain,
        logger,
        metrics,
      }),
      concurrency: config.delivery.concurrency,
      pollIntervalMs: config.delivery.pollIntervalMs,
      logger,
    });
    closers.add('e-mail delivery job', () => job.stop());
    const listener = new PgWakeupListener({ databaseUrl, channel: emailDeliveryChannel(schema), onWake: () => job.wake(), logger });
    await listener.start();
    closers.add('e-mail wake-up listener', () => listener.stop());

    // Vendor webhooks: the same shape as e-mail (delivery rows, claimed attempts, a LISTEN wake-up).
    const webhookGuard = new WebhookUrlGuard({
      allowPrivate: config.webhooks.allowPrivateUrls,
      requireHttps: config.webhooks.requireHttps,
      allowedPorts: config.webhooks.allowedPorts,
      ...(opts.webhookResolver ? { resolver: opts.webhookResolver } : {}),
    });
    if (config.webhooks.allowPrivateUrls) logger.warn('WEBHOOK_ALLOW_PRIVATE_URLS=true: vendor webhooks may target private addresses (development only)');
    const webhookEndpoints = new PrismaWebhookEndpointStore(prisma, secretBox);
    const webhookDeliveries = new PrismaWebhookDeliveryStore(prisma, {
      schema,
      attemptTimeoutMs: config.webhooks.timeoutMs * 2 + 10_000,
      secrets: secretBox,
    });
    const webhookJob = startWebhookDeliveryJob({
      useCase: new DeliverWebhookUseCase({
        store: webhookDeliveries,
        sender: new HttpWebhookSender({ guard: webhookGuard, timeoutMs: config.webhooks.timeoutMs }),
        retryDelaysMs: config.webhooks.retryDelaysMs,
        logger,
        metrics,
      }),
      concurrency: config.webhooks.concurrency,
      pollIntervalMs: config.delivery.pollIntervalMs,
      logger,
    });
    closers.add('webhook delivery job', () => webhookJob.stop());
    const webhookListener = new PgWakeupListener({ databaseUrl, channel: webhookDeliveryChannel(schema), onWake: () => webhookJob.wake(), logger });
    await webhookListener.start();
    closers.add('webhook wake-up listener', () => webhookListener.stop());

    const conn = createBrokerConnection({ url: config.amqpUrl, name: SERVICE_NAME, logger, closers });
    await conn.start();

    // notification publishes nothing yet; the relay keeps the outbox contract every service shares.
    const publisher = new ConfirmPublisher(conn, { logger, metrics });
    // The outbox relay, and the hourly clean-up of sent outbox rows and old inbox rows.
    const outbox = await startOutboxRuntime({ databaseUrl, schema, publisher, logger, metrics });
    closers.add('outbox relay and retention', () => outbox.stop());

    const recordNotice = new RecordOrderNoticeUseCase({
      store: new PrismaNotificationStore(),
      channels: [
        new EmailChannel({
          store: deliveryStore,
          qr: new QrCodePngRenderer(),
          from: config.mailFrom.header,
          mailContext: { appUrl: config.publicAppUrl },
        }),
        new WebhookChannel({ endpoints: webhookEndpoints, deliveries: webhookDeliveries }),
      ],
      logger,
    });
    const esimContacts = new PrismaEsimContactStore();
    const consumer = startOrderEventsConsumer(conn, {
      useCase: recordNotice,
      contacts: esimContacts,
      inbox: new PrismaInboxStore(prisma),
      logger,
      metrics,
      ...(opts.consumerRetryDelaysMs ? { retryDelaysMs: opts.consumerRetryDelaysMs } : {}),
    });
    closers.add('order events consumer', () => consumer.stop());
    const billingConsumer = startBillingEventsConsumer(conn, {
      useCase: new RecordBalanceLowUseCase({ endpoints: webhookEndpoints, deliveries: webhookDeliveries, logger, newId: randomUUID }),
      inbox: new PrismaInboxStore(prisma),
      logger,
      metrics,
      ...(opts.consumerRetryDelaysMs ? { retryDelaysMs: opts.consumerRetryDelaysMs } : {}),
    });
    closers.add('billing events consumer', () => billingConsumer.stop());
    const esimConsumer = startEsimEventsConsumer(conn, {
      useCase: new RecordEsimNoticeUseCase({
        notifications: new PrismaNotificationStore(),
        contacts: esimContacts,
        emails: deliveryStore,
        endpoints: webhookEndpoints,
        webhooks: webhookDeliveries,
        from: config.mailFrom.header,
        mailContext: { appUrl: config.publicAppUrl },
        logger,
      }),
      inbox: new PrismaInboxStore(prisma),
      logger,
      metrics,
      ...(opts.consumerRetryDelaysMs ? { retryDelaysMs: opts.consumerRetryDelaysMs } : {}),
    });
    closers.add('esim events consumer', () => esimConsumer.stop());

    const rpc = new RpcServer(conn, { owner: SERVICE_NAME, logger, metrics });
    registerWebhookEndpointRpc(rpc, new SetWebhookEndpointUseCase({ endpoints: webhookEndpoints, policy: webhookGuard, logger }));
    registerAccountEmailRpc(
      rpc,
      new SendAccountEmailUseCase({
        transaction: (work) => prisma.$transaction((tx) => work(tx)),
        notifications: new PrismaNotificationStore(),
        emails: deliveryStore,
        from: config.mailFrom.header,
        mailContext: { appUrl: config.publicAppUrl },
        logger,
        newId: randomUUID,
      }),
    );
    registerVendorEventsRpc(
      rpc,
      new VendorEventsUseCase({ events: new PrismaVendorEventStore(prisma, { schema }), endpoints: webhookEndpoints, logger, newId: randomUUID }),
    );
    await rpc.start();
    closers.add('rpc server', () => rpc.stop());

    const ops = await startServiceOps({ port: config.opsPort, logger, metrics, closers, postgres: { prisma, databaseUrl, schema, migrationsDir }, conn });
    logger.info({ opsPort: ops.port, schema, smtp: redactUrl(config.smtp.url), webhookSecretsKeyId: secretBox.currentKeyId }, 'notification started');

    return { opsPort: ops.port, metrics, close: () => closers.closeAll() };
  } catch (err) {
    await closers.closeAll();
    throw err;
  }
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'smtp://(unparseable)';
  }
}
