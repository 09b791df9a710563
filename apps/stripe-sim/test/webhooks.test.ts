import Stripe from 'stripe';
import { startReceiver, startSim, WEBHOOK_SECRET, type Receiver, type RunningSim } from './sim.fixture';

let s: RunningSim;
let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver();
  s = await startSim({ webhookUrls: [rx.url], webhookMaxAttempts: 4 });
});
afterAll(async () => {
  await s.stop();
  await rx.close();
});

const webhooks = new Stripe('sk_test_verifier').webhooks;

async function until<T>(fn: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('webhook delivery', () => {
  it('delivers signed events that stripe.webhooks.constructEvent accepts, and refuses when tampered', async () => {
    const pi = await s.stripe.paymentIntents.create({ amount: 1999, currency: 'usd', metadata: { orderId: 'wh-1' } });
    await s.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    await s.sim.control.webhooksIdle();

    const got = rx.received.find((w) => w.event.type === 'payment_intent.succeeded' && w.event.data.object.id === pi.id)!;
    expect(got).toBeDefined();
    expect(got.headers['content-type']).toMatch(/^application\/json/);
    expect(got.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);

    const event = webhooks.constructEvent(got.raw, got.signature, WEBHOOK_SECRET);
    expect(event).toMatchObject({ object: 'event', type: 'payment_intent.succeeded', livemode: false, api_version: Stripe.API_VERSION });
    expect(event.id).toMatch(/^evt_/);
    expect(event.data.object).toMatchObject({ id: pi.id, status: 'succeeded', amount_received: 1999, metadata: { orderId: 'wh-1' } });
    expect(event.request?.idempotency_key).toMatch(/^stripe-node-retry-/);

    const tampered = got.raw.replace('"amount_received": 1999', '"amount_received": 1');
    expect(tampered).not.toBe(got.raw);
    expect(() => webhooks.constructEvent(tampered, got.signature, WEBHOOK_SECRET)).toThrow(Stripe.errors.StripeSignatureVerificationError);
    expect(() => webhooks.constructEvent(got.raw, got.signature, 'whsec_other')).toThrow(Stripe.errors.StripeSignatureVerificationError);

    const types = rx.received.filter((w) => w.event.data.object.id === pi.id || w.event.data.object.payment_intent === pi.id).map((w) => w.event.type);
    expect(types).toEqual(['payment_intent.created', 'charge.succeeded', 'payment_intent.succeeded']);

    // Delivered: the stored event no longer counts this endpoint as pending, and can be fetched by id.
    const fetched = await s.stripe.events.retrieve(event.id);
    expect(fetched).toMatchObject({ id: event.id, type: 'payment_intent.succeeded', pending_webhooks: 0 });
    expect(fetched.data.object).toEqual(event.data.object);
  });

  it('retries a failing endpoint (500 twice, then 200) with backoff until delivered, and logs every attempt', async () => {
    rx.failNext(2);
    const pi = await s.stripe.paymentIntents.create({ amount: 100, currency: 'usd' });
    await s.sim.control.webhooksIdle();
    const delivery = s.sim.state.deliveries.find((d) => d.eventType === 'payment_intent.created' && s.sim.state.events.get(d.eventId)?.data.object.id === pi.id)!;
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastStatus: 200 });
    expect(delivery.history.map((h) => h.status)).toEqual([500, 500, 200]);
    const t = delivery.history.map((h) => Date.parse(h.at));
    // exponential backoff from a 20 ms base: >= 20 ms, then >= 40 ms
    expect(t[1]! - t[0]!).toBeGreaterThanOrEqual(19);
    expect(t[2]! - t[1]!).toBeGreaterThanOrEqual(39);
    expect(rx.received.filter((w) => w.event.data.object.id === pi.id)).toHaveLength(1);

    const state = await s.control<{ deliveries: Array<{ id: string; attempts: number; status: string }> }>('/state');
    expect(state.body.deliveries.find((d) => d.id === delivery.id)).toMatchObject({ attempts: 3, status: 'delivered' });
  });

  it('gives up after the last attempt and marks the delivery failed', async () => {
    rx.failNext(10, 503);
    const pi = await s.stripe.paymentIntents.create({ amount: 101, currency: 'usd' });
    await s.sim.control.webhooksIdle();
    rx.failNext(0);
    const delivery = s.sim.state.deliveries.find((d) => s.sim.state.events.get(d.eventId)?.data.object.id === pi.id)!;
    expect(delivery).toMatchObject({ status: 'failed', attempts: 4, lastStatus: 503 });
    const event = await s.stripe.events.retrieve(delivery.eventId);
    expect(event.pending_webhooks).toBe(1);

    // The dashboard's resend: the same event id and body again.
    const res = await s.control<{ deliveries: Array<{ id: string }> }>(`/events/${delivery.eventId}/redeliver`, {});
    expect(res.status).toBe(200);
    await s.sim.control.webhooksIdle();
    const resent = rx.received.filter((w) => w.event.id === delivery.eventId);
    expect(resent).toHaveLength(1);
    expect(webhooks.constructEvent(resent[0]!.raw, resent[0]!.signature, WEBHOOK_SECRET).id).toBe(delivery.eventId);
  });

  it('sends to several endpoints and takes a new secret at runtime through the control API', async () => {
    const rx2 = await startReceiver();
    try {
      const cfg = await s.control<{ urls: string[] }>('/webhooks', { urls: [rx.url, rx2.url], secret: 'whsec_rotated' });
      expect(cfg.body.urls).toEqual([rx.url, rx2.url]);
      const pi = await s.stripe.paymentIntents.create({ amount: 102, currency: 'usd' });
      await s.sim.control.webhooksIdle();
      for (const r of [rx, rx2]) {
        const got = r.received.find((w) => w.event.data.object.id === pi.id)!;
        expect(webhooks.constructEvent(got.raw, got.signature, 'whsec_rotated').type).toBe('payment_intent.created');
        expect(() => webhooks.constructEvent(got.raw, got.signature, WEBHOOK_SECRET)).toThrow(Stripe.errors.StripeSignatureVerificationError);
      }
      const event = await s.stripe.events.retrieve((await until(() => rx2.received.find((w) => w.event.data.object.id === pi.id)))!.event.id);
      expect(event.pending_webhooks).toBe(0);
    } finally {
      await s.control('/webhooks', { urls: [rx.url], secret: WEBHOOK_SECRET });
      await rx2.close();
    }
  });

  it('lists events newest first, filtered by type (also with a wildcard)', async () => {
    const pi = await s.stripe.paymentIntents.create({ amount: 103, currency: 'usd' });
    await s.stripe.paymentIntents.cancel(pi.id);
    const canceled = await s.stripe.events.list({ type: 'payment_intent.canceled', limit: 1 });
    expect(canceled.data[0]).toMatchObject({ type: 'payment_intent.canceled', data: { object: { id: pi.id, status: 'canceled' } } });
    const any = await s.stripe.events.list({ type: 'payment_intent.*', limit: 2 });
    expect(any.data.map((e) => e.type)).toEqual(['payment_intent.canceled', 'payment_intent.created']);
    const missing = await s.stripe.events.retrieve('evt_missing').catch((e: unknown) => e);
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    await s.sim.control.webhooksIdle();
  });
});
