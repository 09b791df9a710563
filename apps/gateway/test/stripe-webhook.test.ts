/**
 * Stripe webhook ingress: signature on the raw body, then payment.handle-stripe-event.v1 published with a confirm
 * to payment's command exchange (observed here through a test queue bound to it). The gateway reaches RabbitMQ
 * through a TcpProxy so the broker can be cut.
 */
import Stripe from 'stripe';
import { HandleStripeEventV1 } from '@ttelgo/contracts';
import { TcpProxy, waitFor } from '@ttelgo/testing';
import { stripeEventMessageId } from '../src/application/accept-stripe-webhook.use-case';
import { TEST_WEBHOOK_SECRET, expectProblem, expectRetryLater, json, waitUntilReady, type TestGateway } from './support/gateway.harness';
import { collectCommands, postRawBody, settle, startWebhookIngress, type ReceivedCommand, type WebhookIngress } from './support/webhook-ingress.harness';

const stripe = new Stripe('sk_test_only_for_signing_in_tests');
const PATH = '/api/v1/webhooks/stripe';
const OBSERVER_QUEUE = 'test.payment-commands';

let ingress: WebhookIngress;
let proxy: TcpProxy;
let gateway: TestGateway;
const received: Array<ReceivedCommand<{ eventId: string; eventType: string; payload: string; receivedAt: string }>> = [];

beforeAll(async () => {
  ingress = await startWebhookIngress('gateway_webhook');
  ({ proxy, gateway } = ingress);
});

afterAll(async () => {
  await ingress?.close();
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
  postRawBody(gateway, PATH, raw, { 'content-type': contentType, ...(signature !== undefined ? { 'stripe-signature': signature } : {}) });

it('answers 503 while payment has not bound its queue (the mandatory publish comes back), so Stripe retries', async () => {
  const { raw } = stripeEvent();
  const res = await deliver(raw, sign(raw));
  expectRetryLater(res, 'SERVICE_UNAVAILABLE');
});

describe('with payment\'s command queue bound', () => {
  beforeAll(async () => {
    await collectCommands(ingress.observer, { queue: OBSERVER_QUEUE, owner: 'payment', messageName: HandleStripeEventV1.name }, received);
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
    expectRetryLater(res, 'SERVICE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(2500);
    expect(res.body).not.toMatch(/amqp|rabbit|ECONN/i);

    proxy.restore();
    await waitUntilReady(gateway, { timeoutMs: 20_000, message: 'gateway did not reconnect' });
    // Stripe's retry of the same event now goes through.
    expect((await deliver(raw, sign(raw))).status).toBe(200);
    await waitFor(() => received.some((m) => m.envelope.data.eventId === id));
  });
});
