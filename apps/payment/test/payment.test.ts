/**
 * Component test of payment, driven the way its neighbours drive it: the RPC and commands over a real RabbitMQ
 * vhost, Stripe events handed over as payment.handle-stripe-event.v1 (the gateway's job), Stripe played by the
 * real stripe-sim over HTTP through the real SDK, the service on its own Postgres schema. Published events are
 * read from the payment events exchange; the outbox rows are counted too (the source of truth for "exactly once").
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import amqplib from 'amqplib';
import pg from 'pg';
import Stripe from 'stripe';
import { CancelPaymentV1, CreatePaymentIntentV1, HandleStripeEventV1, RefundPaymentV1, type MessageContract } from '@ttelgo/contracts';
import { assertSchemaMatchesPrisma } from '@ttelgo/db';
import { AmqpConnection, ConfirmPublisher, RpcClient, declareEventExchange } from '@ttelgo/messaging';
import { createMetrics } from '@ttelgo/observability';
import {
  TEST_DATABASE_URL,
  boundTo,
  consumedCount,
  createTestSchemaName,
  createTestVhost,
  dropSchema,
  testLogger,
  waitFor,
  waitForOutboxObserved,
  type TestVhost,
} from '@ttelgo/testing';
import { loadPaymentConfig } from '../src/config';
import { startPayment, type PaymentHandle } from '../src/service';
import { startStripeSim, type RunningStripeSim } from './support/stripe-sim';

jest.setTimeout(90_000);

const logger = testLogger('payment-test');
const SECRET_KEY = 'sk_test_ttelgo_sim';

interface PublishedEvent {
  id: string;
  type: string;
  producer: string;
  data: { referenceId: string; paymentIntentId: string; amount: { amount: number; currency: string }; reason?: string; refundId?: string; received?: { amount: number; currency: string } };
}

interface SimEvent {
  id: string;
  type: string;
  created: number;
  data: { object: { id: string; payment_intent?: string } };
}

let schema: string;
let vhost: TestVhost;
let stripeSim: RunningStripeSim;
let service: PaymentHandle;
let clientConn: AmqpConnection;
let rpc: RpcClient;
let publisher: ConfirmPublisher;
let eventsConn: amqplib.ChannelModel;
let pgClient: pg.Client;
let stripe: Stripe;
const published: PublishedEvent[] = [];

/** Publishes a command as its producer would and waits until payment's consumer has finished with it (acked). */
async function send<T>(contract: MessageContract<T>, data: T, producer: string): Promise<void> {
  const before = await consumedCount(service.metrics, { type: contract.name });
  await publisher.publishMessage(contract, data, { producer, correlationId: randomUUID() });
  await waitFor(async () => (await consumedCount(service.metrics, { type: contract.name })) > before, { timeoutMs: 30_000, message: `${contract.name} not handled` });
}

/** The events the simulator recorded, fetched like any Stripe client would (raw JSON). */
async function simEvents(type: string): Promise<SimEvent[]> {
  const res = await fetch(`${stripeSim.baseUrl}/v1/events?type=${encodeURIComponent(type)}&limit=100`, { headers: { authorization: `Bearer ${SECRET_KEY}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: SimEvent[] }).data;
}

async function simEvent(type: string, objectOrIntentId: string): Promise<SimEvent> {
  const events = await simEvents(type);
  const event = events.find((e) => e.data.object.id === objectOrIntentId || e.data.object.payment_intent === objectOrIntentId);
  if (!event) throw new Error(`the simulator has no ${type} for ${objectOrIntentId}`);
  return event;
}

/** What the gateway does with a verified webhook: the raw body in payment.handle-stripe-event.v1. */
async function deliver(event: SimEvent): Promise<void> {
  await send(HandleStripeEventV1, { eventId: event.id, eventType: event.type, payload: JSON.stringify(event), receivedAt: new Date().toISOString() }, 'gateway');
}

async function createIntent(referenceId: string, amount = 1299, currency = 'USD') {
  return rpc.call(CreatePaymentIntentV1, { purpose: 'B2C_ORDER', referenceId, amount: { amount, currency }, customerEmail: 'traveller@example.com' });
}

async function confirm(paymentIntentId: string, paymentMethod: string): Promise<void> {
  try {
    await stripe.paymentIntents.confirm(paymentIntentId, { payment_method: paymentMethod });
  } catch (err) {
    if (!(err instanceof Stripe.errors.StripeCardError)) throw err;
  }
}

/** Outbox rows of one type for one reference: each is one publication. */
async function outboxCount(type: string, referenceId: string): Promise<number> {
  const { rows } = await pgClient.query<{ n: string }>(
    `SELECT count(*) AS n FROM "${schema}".outbox WHERE type = $1 AND payload->'data'->>'referenceId' = $2`,
    [type, referenceId],
  );
  return Number(rows[0]!.n);
}

/** Every outbox row sent, and every event among them received by the test's queue: `published` is complete. */
async function outboxDrained(): Promise<void> {
  await waitForOutboxObserved({
    db: pgClient,
    schema,
    observed: (id) => published.some((e) => e.id === id),
    routes: boundTo([['ttelgo.events.payment', 'payment.#']]),
    timeoutMs: 20_000,
  });
}

function publishedFor(referenceId: string, type?: string): PublishedEvent[] {
  return published.filter((e) => e.data.referenceId === referenceId && (!type || e.type === type));
}

async function paymentRow(referenceId: string): Promise<{ status: string; payment_intent_id: string | null; settled_payment_intent_id: string | null }> {
  const { rows } = await pgClient.query(`SELECT status, payment_intent_id, settled_payment_intent_id FROM "${schema}".payments WHERE reference_id = $1`, [referenceId]);
  return rows[0];
}

async function storedEvent(id: string): Promise<{ status: string; attempts: number; last_error: string | null } | undefined> {
  const { rows } = await pgClient.query(`SELECT status, attempts, last_error FROM "${schema}".stripe_events WHERE id = $1`, [id]);
  return rows[0];
}

beforeAll(async () => {
  schema = createTestSchemaName('payments');
  vhost = await createTestVhost('payments');
  stripeSim = await startStripeSim(logger);
  const simUrl = new URL(stripeSim.baseUrl);
  stripe = new Stripe(SECRET_KEY, { host: simUrl.hostname, port: simUrl.port, protocol: 'http', telemetry: false, maxNetworkRetries: 0 });

  pgClient = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await pgClient.connect();

  // A test queue on the payment events exchange, bound before the service starts, sees every event.
  eventsConn = await amqplib.connect(vhost.url);
  const ch = await eventsConn.createChannel();
  await declareEventExchange(ch, 'payment');
  const q = await ch.assertQueue('', { exclusive: true });
  await ch.bindQueue(q.queue, 'ttelgo.events.payment', 'payment.#');
  await ch.consume(q.queue, (msg) => msg && published.push(JSON.parse(msg.content.toString()) as PublishedEvent), { noAck: true });

  const config = loadPaymentConfig({ NODE_ENV: 'test',
    DATABASE_URL: TEST_DATABASE_URL,
    DB_SCHEMA: schema,
    AMQP_URL: vhost.url,
    OPS_PORT: '0',
    STRIPE_SECRET_KEY: SECRET_KEY,
    STRIPE_API_BASE: stripeSim.baseUrl,
    STRIPE_TIMEOUT_MS: '5000',
    STRIPE_EVENT_RETRY_INTERVAL_MS: '1500',
    LOG_LEVEL: 'silent',
  });
  service = await startPayment(config, { logger, metrics: createMetrics('payment'), commandRetryDelaysMs: [500, 1000] });

  clientConn = new AmqpConnection({ url: vhost.url, name: 'payment-test', logger });
  await clientConn.start();
  rpc = new RpcClient(clientConn, { logger, producer: 'order' });
  await rpc.start();
  publisher = new ConfirmPublisher(clientConn, { logger });
});

afterAll(async () => {
  await rpc?.stop().catch(() => undefined);
  await clientConn?.close().catch(() => undefined);
  await service?.close();
  await eventsConn?.close().catch(() => undefined);
  await stripeSim?.close();
  await pgClient?.end().catch(() => undefined);
  if (schema) await dropSchema(TEST_DATABASE_URL, schema);
  await vhost?.dispose();
});

describe('payment', () => {
  it('applies migrations that agree with the Prisma schema', async () => {
    await assertSchemaMatchesPrisma({ databaseUrl: TEST_DATABASE_URL, schema, prismaSchemaPath: resolve(__dirname, '../../../prisma/payment/schema.prisma') });
  });

  it('creates one PaymentIntent per reference: a second call returns the same one', async () => {
    const referenceId = randomUUID();
    const first = await createIntent(referenceId);
    const second = await createIntent(referenceId);
    expect(second).toEqual(first);
    expect(first.paymentIntentId).toMatch(/^pi_/);
    expect(first.clientSecret).toMatch(new RegExp(`^${first.paymentIntentId}_secret_`));
    expect(first.publishableKey).toBe('pk_test_ttelgo_sim');
    expect(first.status).toBe('requires_payment_method');

    const atSim = [...stripeSim.sim.state.paymentIntents.values()].filter((pi) => pi.metadata.referenceId === referenceId);
    expect(atSim).toHaveLength(1);
    expect(atSim[0]).toMatchObject({ id: first.paymentIntentId, amount: 1299, currency: 'usd', metadata: { purpose: 'B2C_ORDER', referenceId } });

    // The same reference with other terms is refused, never a second intent.
    await expect(createIntent(referenceId, 999)).rejects.toMatchObject({ code: 'PAYMENT_REFERENCE_CONFLICT', status: 409 });
    expect([...stripeSim.sim.state.paymentIntents.values()].filter((pi) => pi.metadata.referenceId === referenceId)).toHaveLength(1);
  });

  it('announces a success once; a duplicate and an older payment_failed delivered after it change nothing', async () => {
    const referenceId = randomUUID();
    const { paymentIntentId } = await createIntent(referenceId);
    await confirm(paymentIntentId, 'pm_card_chargeDeclined'); // its payment_failed event is held back
    await confirm(paymentIntentId, 'pm_card_visa');
    const succeeded = await simEvent('payment_intent.succeeded', paymentIntentId);
    const oldFailure = await simEvent('payment_intent.payment_failed', paymentIntentId);
    expect(oldFailure.created).toBeLessThanOrEqual(succeeded.created);

    await deliver(succeeded);
    const event = await waitFor(() => publishedFor(referenceId, 'payment.succeeded.v1')[0], { message: 'no payment.succeeded.v1' });
    expect(event).toMatchObject({ producer: 'payment', data: { referenceId, paymentIntentId, amount: { amount: 1299, currency: 'USD' } } });

    await deliver(succeeded);
    await deliver(oldFailure);
    expect((await storedEvent(oldFailure.id))?.status).toBe('PROCESSED');
    await outboxDrained();

    expect(await outboxCount('payment.succeeded.v1', referenceId)).toBe(1);
    expect(await outboxCount('payment.failed.v1', referenceId)).toBe(0);
    expect(publishedFor(referenceId).map((e) => e.type)).toEqual(['payment.succeeded.v1']);
    expect(await paymentRow(referenceId)).toMatchObject({ status: 'SUCCEEDED', settled_payment_intent_id: paymentIntentId });
    const { rows } = await pgClient.query(`SELECT count(*)::int AS n FROM "${schema}".stripe_events WHERE id = $1`, [succeeded.id]);
    expect(rows[0].n).toBe(1);
  });

  it('declined then paid on the same intent: payment.failed.v1, then payment.succeeded.v1', async () => {
    const referenceId = randomUUID();
    const { paymentIntentId } = await createIntent(referenceId);
    await confirm(paymentIntentId, 'pm_card_chargeDeclined');
    await deliver(await simEvent('payment_intent.payment_failed', paymentIntentId));
    const failed = await waitFor(() => publishedFor(referenceId, 'payment.failed.v1')[0], { message: 'no payment.failed.v1' });
    expect(failed.data).toMatchObject({ paymentIntentId, reason: 'generic_decline' });
    expect((await paymentRow(referenceId)).status).toBe('PENDING');

    await confirm(paymentIntentId, 'pm_card_visa');
    await deliver(await simEvent('payment_intent.succeeded', paymentIntentId));
    await waitFor(() => publishedFor(referenceId, 'payment.succeeded.v1')[0], { message: 'no payment.succeeded.v1' });
    await outboxDrained();
    expect(publishedFor(referenceId).map((e) => e.type)).toEqual(['payment.failed.v1', 'payment.succeeded.v1']);
  });

  it('a paid amount that differs from the payment is payment.mismatched.v1, never payment.succeeded.v1', async () => {
    const referenceId = randomUUID();
    await createIntent(referenceId, 1299, 'USD');
    // An intent made outside our flow, carrying our metadata but another amount.
    const rogue = await stripe.paymentIntents.create({ amount: 999, currency: 'usd', metadata: { purpose: 'B2C_ORDER', referenceId } });
    await confirm(rogue.id, 'pm_card_visa');
    await deliver(await simEvent('payment_intent.succeeded', rogue.id));

    const mismatch = await waitFor(() => publishedFor(referenceId, 'payment.mismatched.v1')[0], { message: 'no payment.mismatched.v1' });
    expect(mismatch.data).toMatchObject({ paymentIntentId: rogue.id, amount: { amount: 1299, currency: 'USD' }, received: { amount: 999, currency: 'USD' } });
    await outboxDrained();
    expect(await outboxCount('payment.succeeded.v1', referenceId)).toBe(0);
    expect(await paymentRow(referenceId)).toMatchObject({ status: 'MISMATCHED', settled_payment_intent_id: rogue.id });
  });

  it('refund command twice: one refund at Stripe, one payment.refunded.v1', async () => {
    const referenceId = randomUUID();
    const { paymentIntentId } = await createIntent(referenceId);
    await confirm(paymentIntentId, 'pm_card_visa');
    await deliver(await simEvent('payment_intent.succeeded', paymentIntentId));
    await waitFor(() => publishedFor(referenceId, 'payment.succeeded.v1')[0], { message: 'no payment.succeeded.v1' });

    await send(RefundPaymentV1, { referenceId, reason: 'provisioning failed' }, 'order');
    await send(RefundPaymentV1, { referenceId, reason: 'provisioning failed' }, 'order');
    const refunded = await waitFor(() => publishedFor(referenceId, 'payment.refunded.v1')[0], { message: 'no payment.refunded.v1' });

    const refunds = await stripe.refunds.list({ payment_intent: paymentIntentId, limit: 10 });
    expect(refunds.data).toHaveLength(1);
    expect(refunds.data[0]).toMatchObject({ amount: 1299, status: 'succeeded' });
    expect(refunded.data).toMatchObject({ paymentIntentId, refundId: refunds.data[0]!.id, amount: { amount: 1299, currency: 'USD' } });

    // Stripe's own charge.refunded arriving afterwards is a hint that changes nothing.
    await deliver(await simEvent('charge.refunded', paymentIntentId));
    await outboxDrained();
    expect(await outboxCount('payment.refunded.v1', referenceId)).toBe(1);
    expect(publishedFor(referenceId, 'payment.refunded.v1')).toHaveLength(1);
    expect((await paymentRow(referenceId)).status).toBe('REFUNDED');
  });

  it('cancel command: the intent is canceled at Stripe and payment.canceled.v1 is published once', async () => {
    const referenceId = randomUUID();
    const { paymentIntentId } = await createIntent(referenceId);
    await send(CancelPaymentV1, { referenceId, reason: 'unpaid for 30 minutes' }, 'order');
    const canceled = await waitFor(() => publishedFor(referenceId, 'payment.canceled.v1')[0], { message: 'no payment.canceled.v1' });
    expect(canceled.data).toMatchObject({ paymentIntentId });
    expect((await stripe.paymentIntents.retrieve(paymentIntentId)).status).toBe('canceled');

    await send(CancelPaymentV1, { referenceId, reason: 'unpaid for 30 minutes' }, 'order');
    await deliver(await simEvent('payment_intent.canceled', paymentIntentId));
    await outboxDrained();
    expect(await outboxCount('payment.canceled.v1', referenceId)).toBe(1);
    expect((await paymentRow(referenceId)).status).toBe('CANCELED');
  });

  it('a Stripe outage while processing an event leaves it stored as FAILED; the retry job processes it after recovery', async () => {
    const referenceId = randomUUID();
    const { paymentIntentId } = await createIntent(referenceId);
    await confirm(paymentIntentId, 'pm_card_visa');
    const succeeded = await simEvent('payment_intent.succeeded', paymentIntentId);

    stripeSim.sim.control.setFaults({ errorRate: 1 });
    try {
      await deliver(succeeded);
      const stored = await storedEvent(succeeded.id);
      expect(stored).toMatchObject({ status: 'FAILED' });
      expect(stored!.attempts).toBeGreaterThanOrEqual(1);
      expect(stored!.last_error).toMatch(/stripe/i);
      expect(await outboxCount('payment.succeeded.v1', referenceId)).toBe(0);
      expect((await paymentRow(referenceId)).status).toBe('PENDING');
    } finally {
      stripeSim.sim.control.resetFaults();
    }

    // No redelivery: the job (every 1.5 s here) picks the stored event up.
    await waitFor(() => publishedFor(referenceId, 'payment.succeeded.v1')[0], { timeoutMs: 30_000, message: 'the retry job did not process the event' });
    expect((await storedEvent(succeeded.id))?.status).toBe('PROCESSED');
    await outboxDrained();
    expect(await outboxCount('payment.succeeded.v1', referenceId)).toBe(1);
  });
});
