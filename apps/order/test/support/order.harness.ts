/**
 * One order service on its own Postgres schema and RabbitMQ vhost, with doubles of esim-provisioning, payment
 * and vendor-billing over the real broker, a gateway-like RPC client, and an observer queue bound to everything
 * order emits (its events and the esim/payment/billing commands), so tests see the messages as the other
 * services would.
 */
import amqplib from 'amqplib';
import pg from 'pg';
import { PlaceOrderV1, PlaceTopupV1, type DataOf, type Envelope, type OrderView } from '@ttelgo/contracts';
import { AmqpConnection, RpcClient, declareCommandExchange, declareEventExchange } from '@ttelgo/messaging';
import { createMetrics } from '@ttelgo/observability';
import {
  TEST_DATABASE_URL,
  boundTo,
  consumedCount,
  createTestSchemaName,
  createTestVhost,
  dropSchema,
  rpcRemoteError,
  testLogger,
  waitFor,
  waitForOutboxObserved,
  type TestVhost,
} from '@ttelgo/testing';
import { loadOrderConfig } from '../../src/config';
import { startOrder, type OrderHandle } from '../../src/service';
import { BillingDouble } from './billing.double';
import { BUNDLE, EsimDouble } from './esim.double';
import { PaymentDouble } from './payment.double';

export interface Observed {
  routingKey: string;
  envelope: Envelope<Record<string, unknown>>;
}

/** What order emits; commands are keyed by referenceId / orderId, events by orderId. */
const OBSERVED_BINDINGS: ReadonlyArray<readonly [string, string]> = [
  ['ttelgo.events.order', '#'],
  ['ttelgo.commands.esim', 'esim.provision.v1'],
  ['ttelgo.commands.esim', 'esim.apply-bundle.v1'],
  ['ttelgo.commands.esim', 'esim.revoke-bundles.v1'],
  ['ttelgo.commands.payment', 'payment.refund-payment.v1'],
  ['ttelgo.commands.payment', 'payment.cancel-payment.v1'],
  ['ttelgo.commands.billing', 'billing.reserve-funds.v1'],
  ['ttelgo.commands.billing', 'billing.capture-funds.v1'],
  ['ttelgo.commands.billing', 'billing.release-funds.v1'],
  ['ttelgo.commands.billing', 'billing.refund-order-charge.v1'],
];

export class OrderHarness {
  schema!: string;
  vhost!: TestVhost;
  service!: OrderHandle;
  esim!: EsimDouble;
  payment!: PaymentDouble;
  billing!: BillingDouble;
  pg!: pg.Client;
  readonly observed: Observed[] = [];
  private readonly observedIds = new Set<string>();
  private clientConn!: AmqpConnection;
  private rpc!: RpcClient;
  private observerConn!: amqplib.ChannelModel;
  private readonly logger = testLogger('order-test');

  async start(env: Record<string, string> = {}): Promise<this> {
    this.schema = createTestSchemaName('orders');
    this.vhost = await createTestVhost('orders');
    this.pg = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await this.pg.connect();

    this.observerConn = await amqplib.connect(this.vhost.url);
    const ch = await this.observerConn.createChannel();
    await declareEventExchange(ch, 'order');
    await declareCommandExchange(ch, 'esim');
    await declareCommandExchange(ch, 'payment');
    await declareCommandExchange(ch, 'billing');
    const q = await ch.assertQueue('', { exclusive: true });
    for (const [exchange, key] of OBSERVED_BINDINGS) await ch.bindQueue(q.queue, exchange, key);
    await ch.consume(
      q.queue,
      (msg) => {
        if (!msg) return;
        const envelope = JSON.parse(msg.content.toString('utf8')) as Envelope<Record<string, unknown>>;
        this.observed.push({ routingKey: msg.fields.routingKey, envelope });
        this.observedIds.add(envelope.id);
      },
      { noAck: true },
    );

    this.esim = await new EsimDouble(this.vhost.url).start();
    this.payment = await new PaymentDouble(this.vhost.url).start();
    this.billing = await new BillingDouble(this.vhost.url).start();

    const config = loadOrderConfig({ NODE_ENV: 'test',
      DATABASE_URL: TEST_DATABASE_URL,
      DB_SCHEMA: this.schema,
      AMQP_URL: this.vhost.url,
      OPS_PORT: '0',
      LOG_LEVEL: 'silent',
      RPC_TIMEOUT_MS: '1500',
      EXPIRY_SWEEP_INTERVAL_MS: '3600000',
      ORDER_RECONCILE_INTERVAL_MS: '3600000',
      ...env,
    });
    this.service = await startOrder(config, { logger: this.logger, metrics: createMetrics('order'), consumerRetryDelaysMs: [200, 500] });

    this.clientConn = new AmqpConnection({ url: this.vhost.url, name: 'gateway-test', logger: this.logger });
    await this.clientConn.start();
    this.rpc = new RpcClient(this.clientConn, { logger: this.logger, producer: 'gateway', defaultTimeoutMs: 10_000 });
    await this.rpc.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.rpc?.stop().catch(() => undefined);
    await this.clientConn?.close().catch(() => undefined);
    await this.service?.close();
    await this.esim?.stop().catch(() => undefined);
    await this.payment?.stop().catch(() => undefined);
    await this.billing?.stop().catch(() => undefined);
    await this.observerConn?.close().catch(() => undefined);
    await this.pg?.end().catch(() => undefined);
    if (this.schema) await dropSchema(TEST_DATABASE_URL, this.schema);
    await this.vhost?.dispose();
  }

  call: RpcClient['call'] = (contract, request, opts) => this.rpc.call(contract, request, opts);

  placeOrder(customerId: string, overrides: Partial<DataOf<typeof PlaceOrderV1>> = {}): Promise<OrderView> {
    return this.call(PlaceOrderV1, {
      owner: { type: 'customer', id: customerId },
      contactEmail: `${customerId}@example.com`,
      bundleName: BUNDLE.name,
      quantity: 2,
      requestKey: `rk-${customerId}-${Math.random().toString(36).slice(2)}`,
      ...overrides,
    });
  }

  /** A top-up of an eSIM (order.place-topup.v1), by default a customer's with the fixture bundle. */
  placeTopup(owner: { type: 'customer' | 'vendor'; id: string }, iccid: string, overrides: Partial<DataOf<typeof PlaceTopupV1>> = {}): Promise<OrderView> {
    return this.call(PlaceTopupV1, {
      owner,
      ...(owner.type === 'customer' ? { contactEmail: `${owner.id}@example.com` } : {}),
      iccid,
      bundleName: BUNDLE.name,
      requestKey: `rk-${owner.id}-${Math.random().toString(36).slice(2)}`,
      ...overrides,
    });
  }

  /** A B2B order of a vendor (owner.id = the vendor id billing knows), as the gateway's vendor routes place it. */
  placeVendorOrder(vendorId: string, overrides: Partial<DataOf<typeof PlaceOrderV1>> = {}): Promise<OrderView> {
    return this.call(PlaceOrderV1, {
      owner: { type: 'vendor', id: vendorId },
      bundleName: BUNDLE.name,
      quantity: 2,
      requestKey: `rk-${vendorId}-${Math.random().toString(36).slice(2)}`,
      ...overrides,
    });
  }

  remoteError = rpcRemoteError;

  /** Messages the observer received of a type about an order (commands by referenceId, the rest by orderId). */
  messages(type: string, orderId: string): Observed[] {
    return this.observed.filter((m) => m.envelope.type === type && (m.envelope.data.orderId ?? m.envelope.data.referenceId) === orderId);
  }

  waitForMessages(type: string, orderId: string, count: number): Promise<Observed[]> {
    return waitFor(() => {
      const found = this.messages(type, orderId);
      return found.length >= count && found;
    }, { timeoutMs: 15_000, message: `expected ${count} x ${type} for ${orderId}, saw ${this.messages(type, orderId).length}` });
  }

  async row(orderId: string): Promise<Record<string, unknown> & { status: string }> {
    const { rows } = await this.pg.query(`SELECT * FROM "${this.schema}".orders WHERE id = $1`, [orderId]);
    if (!rows[0]) throw new Error(`no order ${orderId}`);
    return rows[0];
  }

  async history(orderId: string): Promise<Array<{ from_status: string | null; to_status: string; reason: string; causation_id: string | null }>> {
    const { rows } = await this.pg.query(
      `SELECT from_status, to_status, reason, causation_id FROM "${this.schema}".order_status_history WHERE order_id = $1 ORDER BY id`,
      [orderId],
    );
    return rows;
  }

  async waitForStatus(orderId: string, status: string): Promise<void> {
    await waitFor(async () => (await this.row(orderId)).status === status, { timeoutMs: 15_000, message: `order ${orderId} never became ${status}` });
  }

  /** Resolves once the consumer committed this message (its inbox row exists). */
  async waitHandled(messageId: string): Promise<void> {
    await waitFor(
      async () => (await this.pg.query(`SELECT 1 FROM "${this.schema}".inbox WHERE message_id = $1`, [messageId])).rowCount === 1,
      { timeoutMs: 15_000, message: `message ${messageId} was never handled` },
    );
  }

  /** Outbox rows of a type about an order: what order decided to send, whether or not the relay sent it yet. */
  async outboxCount(type: string, orderId: string): Promise<number> {
    const { rows } = await this.pg.query(
      `SELECT count(*)::int AS n FROM "${this.schema}".outbox WHERE type = $1 AND coalesce(payload->'data'->>'orderId', payload->'data'->>'referenceId') = $2`,
      [type, orderId],
    );
    return rows[0].n;
  }

  /** Every outbox row published and received by the observer: what order sent so far is all in `observed`. */
  async settle(): Promise<void> {
    await waitForOutboxObserved({ db: this.pg, schema: this.schema, observed: (id) => this.observedIds.has(id), routes: boundTo(OBSERVED_BINDINGS) });
  }

  /** Messages order's consumers finished with this outcome (ok, duplicate, retry, dead-letter, invalid). */
  consumedCount(outcome: string): Promise<number> {
    return consumedCount(this.service.metrics, { outcome });
  }
}
