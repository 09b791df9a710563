/**
 * One vendor-billing service on its own Postgres schema and RabbitMQ vhost, with a payment double over the real
 * broker, a gateway-like RPC client, a publisher of order's commands, and an observer queue bound to everything
 * billing emits. `direct()` gives the use cases over a separate Prisma client on the same schema, to race them
 * without the broker's prefetch in between.
 */
import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import pg from 'pg';
import { CreateVendorV1, routeFor, type DataOf, type Envelope, type MessageContract, type VendorView } from '@ttelgo/contracts';
import { PrismaInboxStore, createPrismaClient } from '@ttelgo/db';
import { AmqpConnection, ConfirmPublisher, RpcClient, declareEventExchange } from '@ttelgo/messaging';
import { createMetrics } from '@ttelgo/observability';
import {
  TEST_DATABASE_URL,
  createTestSchemaName,
  createTestVhost,
  dropSchema,
  rpcRemoteError,
  testLogger,
  waitFor,
  waitForOutboxObserved,
  type TestVhost,
} from '@ttelgo/testing';
import type { PaymentIntentsPort } from '../../src/application/ports';
import { loadVendorBillingConfig } from '../../src/config';
import { PrismaClient } from '../../src/infrastructure/generated/prisma/client';
import { createBillingUseCases, startVendorBilling, type BillingUseCases, type VendorBillingHandle } from '../../src/service';
import { PaymentDouble } from './payment.double';

export interface Observed {
  type: string;
  envelope: Envelope<Record<string, unknown>>;
}

export class BillingHarness {
  schema!: string;
  vhost!: TestVhost;
  service!: VendorBillingHandle;
  payment!: PaymentDouble;
  pg!: pg.Client;
  readonly observed: Observed[] = [];
  private readonly observedIds = new Set<string>();
  /** The service's clock: undefined = real time. */
  now: Date | undefined;
  private clientConn!: AmqpConnection;
  private rpc!: RpcClient;
  private publisher!: ConfirmPublisher;
  private observerConn!: amqplib.ChannelModel;
  private directPrisma: PrismaClient | undefined;
  private directUseCases: (BillingUseCases & { inbox: PrismaInboxStore }) | undefined;
  private readonly logger = testLogger('billing-test');

  async start(): Promise<this> {
    this.schema = createTestSchemaName('billing');
    this.vhost = await createTestVhost('billing');
    this.pg = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await this.pg.connect();

    this.observerConn = await amqplib.connect(this.vhost.url);
    const ch = await this.observerConn.createChannel();
    await declareEventExchange(ch, 'billing');
    const q = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(q.queue, 'ttelgo.events.billing', '#');
    await ch.consume(
      q.queue,
      (msg) => {
        if (msg) {
          const envelope = JSON.parse(msg.content.toString('utf8')) as Envelope<Record<string, unknown>>;
          this.observed.push({ type: envelope.type, envelope });
          this.observedIds.add(envelope.id);
        }
      },
      { noAck: true },
    );

    this.payment = await new PaymentDouble(this.vhost.url).start();
    const config = loadVendorBillingConfig({ NODE_ENV: 'test',
      DATABASE_URL: TEST_DATABASE_URL,
      DB_SCHEMA: this.schema,
      AMQP_URL: this.vhost.url,
      OPS_PORT: '0',
      LOG_LEVEL: 'silent',
      RPC_TIMEOUT_MS: '3000',
      DB_POOL_MAX: '12',
    });
    this.service = await startVendorBilling(config, {
      logger: this.logger,
      metrics: createMetrics('vendor-billing'),
      clock: () => this.now ?? new Date(),
      consumerRetryDelaysMs: [200, 500],
    });

    this.clientConn = new AmqpConnection({ url: this.vhost.url, name: 'gateway-test', logger: this.logger });
    await this.clientConn.start();
    this.rpc = new RpcClient(this.clientConn, { logger: this.logger, producer: 'gateway', defaultTimeoutMs: 10_000 });
    await this.rpc.start();
    this.publisher = new ConfirmPublisher(this.clientConn, { logger: this.logger });
    return this;
  }

  async stop(): Promise<void> {
    await this.rpc?.stop().catch(() => undefined);
    await this.clientConn?.close().catch(() => undefined);
    await this.service?.close();
    await this.directPrisma?.$disconnect().catch(() => undefined);
    await this.payment?.stop().catch(() => undefined);
    await this.observerConn?.close().catch(() => undefined);
    await this.pg?.end().catch(() => undefined);
    if (this.schema) await dropSchema(TEST_DATABASE_URL, this.schema);
    await this.vhost?.dispose();
  }

  call: RpcClient['call'] = (contract, request, opts) => this.rpc.call(contract, request, opts);

  /** Publishes a command or event the way order / payment would. */
  send<T>(contract: MessageContract<T>, data: T): Promise<Envelope<T>> {
    return this.publisher.publishMessage(contract, data, { producer: 'order', correlationId: randomUUID() });
  }

  /** The same envelope again: a redelivery with the same message id. */
  republish(contract: MessageContract, envelope: Envelope): Promise<void> {
    return this.publisher.publish(routeFor(contract), envelope);
  }

  createVendor(overrides: Partial<DataOf<typeof CreateVendorV1>> = {}): Promise<VendorView> {
    const id = randomUUID().slice(0, 8);
    return this.call(CreateVendorV1, {
      name: `Reseller ${id}`,
      email: `billing-${id}@reseller.example`,
      billingMode: 'PREPAID',
      currency: 'USD',
      requestKey: `rk-${randomUUID()}`,
      ...overrides,
    });
  }

  remoteError = rpcRemoteError;

  events(type: string, match: (data: Record<string, unknown>) => boolean = () => true): Observed[] {
    return this.observed.filter((m) => m.type === type && match(m.envelope.data));
  }

  waitForEvents(type: string, match: (data: Record<string, unknown>) => boolean, count: number, timeoutMs = 20_000): Promise<Observed[]> {
    return waitFor(
      () => {
        const found = this.events(type, match);
        return found.length >= count && found;
      },
      { timeoutMs, message: `expected ${count} x ${type}, saw ${this.events(type, match).length}` },
    );
  }

  /** Every outbox row published and received by the observer: what billing emitted so far is all in `observed`. */
  async settle(): Promise<void> {
    await waitForOutboxObserved({
      db: this.pg,
      schema: this.schema,
      observed: (id) => this.observedIds.has(id),
      routes: (exchange) => exchange === 'ttelgo.events.billing',
    });
  }

  async waitHandled(messageId: string): Promise<void> {
    await waitFor(async () => (await this.pg.query(`SELECT 1 FROM "${this.schema}".inbox WHERE message_id = $1`, [messageId])).rowCount === 1, {
      timeoutMs: 15_000,
      message: `message ${messageId} was never handled`,
    });
  }

  /** Use cases over their own pool (25 connections), on the service's schema and clock. */
  direct(payments?: PaymentIntentsPort): BillingUseCases & { inbox: PrismaInboxStore } {
    if (!this.directUseCases) {
      this.directPrisma = createPrismaClient(PrismaClient, { databaseUrl: TEST_DATABASE_URL, schema: this.schema, poolMax: 25 });
      const useCases = createBillingUseCases({
        prisma: this.directPrisma,
        schema: this.schema,
        payments: payments ?? { createTopupIntent: () => Promise.reject(new Error('no payments in direct mode')) },
        defaults: { markupBps: 1500, rateLimitPerMinute: 600 },
        clock: () => this.now ?? new Date(),
        logger: this.logger,
      });
      this.directUseCases = { ...useCases, inbox: new PrismaInboxStore(this.directPrisma) };
    }
    return this.directUseCases;
  }
}
