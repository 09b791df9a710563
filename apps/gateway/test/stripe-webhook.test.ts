/**
 * Stripe webhook ingress: signature on the raw body, then payment.handle-stripe-event.v1 published with a confirm
 * to payment's command exchange (observed here through a test queue bound to it). The gateway reaches RabbitMQ
 * through a TcpProxy so the broker can be cut.
 */
import amqplib from 'amqplib';
import Stripe from 'stripe';
import { EnvelopeSchema, HandleStripeEventV1, ProblemSchema, commandExchange, type Envelope } from '@ttelgo/contracts';
import { TcpProxy, TEST_AMQP_URL, createTestVhost, waitFor, type TestVhost } from '@ttelgo/testing';
import { stripeEventMessageId } from '../src/application/accept-stripe-webhook.use-case';
import { TEST_WEBHOOK_SECRET, json, rawRequest, startTestGateway, type RawResponse, type TestGateway } from './support/gateway.harness';

const stripe = new Stripe('sk_test_only_for_signing_in_tests');
const PATH = '/api/v1/webhooks/stripe';
const OBSERVER_QUEUE = 'test.payment-commands';

let vhost: TestVhost;
let proxy: TcpProxy;
let gateway: TestGateway;
let observer: amqplib.ChannelModel;
let channel: amqplib.Channel;
const received: Array<{ messageId: string; envelope: Envelope<{ eventId: string; eventType: string; payload: string; receivedAt: string }> }> = [];

beforeAll(async () => {
  vhost = await createTestVhost('gateway_webhook');
  const broker = new URL(TEST_AMQP_URL);
  proxy = new TcpProxy({ host: broker.hostname, port: Number(broker.port || 5672) });
  const viaProxy = new URL(vhost.url);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(await proxy.start());
  gateway = await startTestGateway({ AMQP_URL: viaProxy.toString(), WEBHOOK_CONFIRM_TIMEOUT_MS: '2000' }, 'gateway_webhook');
  observer = await amqplib.connect(vhost.url);
  channel = await observer.createChannel();
});

afterAll(async () => {
  await observer?.close().catch(() => undefined);
  await gateway?.close();
  await proxy?.stop();
  await vhost?.dispose();
});

let counter = 0;
function stripeEvent(type = 'payment_intent.succeeded'): { id: string; raw: string } {
  counter += 1;
  const id = `evt_test_${Date.now()}_${counter}`;
  // Pretty-printed, non-ASCII and with a trailing newline: the payload must travel byte for byte.
  const raw = `${JSON.stringify({ id, object: 'event', type, created: Math.floor(Date.now() / 1000), data: { object: { id: 'pi_123', amount: 499, description: 'Café eSIM' } } }, null, 2)}\n`;
  return { id, raw };
}

function sign(raw: string, opts: { secret?: string; timestamp?: number } = {}): string {
  return stripe.webhooks.generateTestHeaderString({
    payload: raw,
    secret: opts.secret ?? TEST_WEBHOOK_SECRET,
    ...(opts.timestamp !== undefined ? { timestamp: opts.timestamp } : {}),
  });
}

const deliver = (raw: string, signature: string | undefined, contentType = 'application/json') =>
  rawRequest(gateway.handle.port, 'POST', PATH, {
    headers: { 'content-type': contentType, ...(signature !== undefined ? { 'stripe-signature': signature } : {}) },
    body: Buffer.from(raw, 'utf8'),
  });

function expectProblem(res: RawResponse, status: number, code: string) {
  expect({ status: res.status, body: res.body }).toMatchObject({ status });
  expect(ProblemSchema.parse(json(res))).toMatchObject({ status, code });
}

async function settle(): Promise<void> {
  await new Promise((r) => setTimeout(r, 300));
}

it('answers 503 while payment has not bound its queue (the mandatory publish comes back), so Stripe retries', async () => {
  const { raw } = stripeEvent();
  const res = await deliver(raw, sign(raw));
  expectProblem(res, 503, 'SERVICE_UNAVAILABLE');
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
});

describe('with payment\'s command queue bound', () => {
  beforeAll(async () => {
    await channel.assertQueue(OBSERVER_QUEUE, { exclusive: true });
    await channel.bindQueue(OBSERVER_QUEUE, commandExchange('payment'), HandleStripeEventV1.name);
    await channel.consume(OBSERVER_QUEUE, (msg) => {
      if (!msg) return;
      received.push({ messageId: String(msg.properties.messageId), envelope: EnvelopeSchema.parse(JSON.parse(msg.content.toString('utf8'))) as never });
      channel.ack(msg);
    });
  });

  it('accepts a validly signed event and hands over exactly one command carrying the raw payload', async () => {
    const { id, raw } = stripeEvent();
    const before = received.length;
    const res = await deliver(raw, sign(raw));
    expect(res.status).toBe(200);
    expect(json(res)).toEqual({ received: true });
    // The 200 came after the confirm: the message is already in the queue.
    await waitFor(() => received.length > before);
    await settle();
    const mine = received.filter((m) => m.envelope.data.eventId === id);
    expect(mine).toHaveLength(1);
    const [message] = mine;
    expect(message!.envelope.type).toBe('payment.handle-stripe-event.v1');
    expect(message!.envelope.producer).toBe('gateway');
    expect(message!.envelope.data.payload).toBe(raw);
    expect(message!.envelope.data.eventType).toBe('payment_intent.succeeded');
    expect(HandleStripeEventV1.strictSchema.safeParse(message!.envelope.data).success).toBe(true);
    expect(message!.messageId).toBe(message!.envelope.id);
    expect(message!.messageId).toBe(stripeEventMessageId(id));
  });

  it('gives a redelivered event the same message id (payment\'s inbox drops the second)', async () => {
    const { id, raw } = stripeEvent('charge.refunded');
    expect((await deliver(raw, sign(raw))).status).toBe(200);
    expect((await deliver(raw, sign(raw))).status).toBe(200);
    const mine = await waitFor(() => {
      const found = received.filter((m) => m.envelope.data.eventId === id);
      return found.length === 2 ? found : undefined;
    });
    expect(mine[0]!.messageId).toBe(mine[1]!.messageId);
    expect(new Set(mine.map((m) => m.envelope.id)).size).toBe(1);
  });

  it('accepts any content type (the signature covers the bytes, whatever Stripe labels them)', async () => {
    const { raw } = stripeEvent();
    expect((await deliver(raw, sign(raw), 'text/plain')).status).toBe(200);
  });

  it('refuses bad, missing, foreign or stale signatures and tampered bodies with 400, publishing nothing', async () => {
    const before = received.length;
    const { raw } = stripeEvent();
    expectProblem(await deliver(raw, undefined), 400, 'INVALID_SIGNATURE');
    expectProblem(await deliver(raw, 't=1,v1=deadbeef'), 400, 'INVALID_SIGNATURE');
    expectProblem(await deliver(raw, sign(raw, { secret: 'whsec_someone_else' })), 400, 'INVALID_SIGNATURE');
    expectProblem(await deliver(raw.replace('499', '1'), sign(raw)), 400, 'INVALID_SIGNATURE');
    const stale = Math.floor(Date.now() / 1000) - 301;
    expectProblem(await deliver(raw, sign(raw, { timestamp: stale })), 400, 'INVALID_SIGNATURE');
    expectProblem(await deliver('', sign('')), 400, 'INVALID_SIGNATURE');
    await settle();
    expect(received.length).toBe(before);
  });

  it('writes an audit row with the Stripe event as resource', async () => {
    const { id, raw } = stripeEvent();
    const res = await deliver(raw, sign(raw));
    const row = await waitFor(async () => (await gateway.query<Record<string, unknown>>('SELECT * FROM audit_log WHERE request_id = $1', [res.headers['x-request-id']]))[0]);
    expect(row).toMatchObject({ action: 'stripe.webhook', actor_type: 'stripe', resource_type: 'stripe_event', resource_id: id, outcome: 'success', status_code: 200 });
    expect(JSON.stringify(row)).not.toContain(TEST_WEBHOOK_SECRET);
  });

  it('answers 503 while the broker is unreachable, and 200 again once it is back', async () => {
    proxy.cut();
    const { id, raw } = stripeEvent();
    const started = Date.now();
    const res = await deliver(raw, sign(raw));
    expectProblem(res, 503, 'SERVICE_UNAVAILABLE');
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(res.body).not.toMatch(/amqp|rabbit|ECONN/i);

    proxy.restore();
    await waitFor(async () => (await fetch(`${gateway.opsUrl}/health/ready`)).status === 200, { timeoutMs: 20_000, message: 'gateway did not reconnect' });
    // Stripe's retry of the same event now goes through.
    expect((await deliver(raw, sign(raw))).status).toBe(200);
    await waitFor(() => received.some((m) => m.envelope.data.eventId === id));
  });
});
