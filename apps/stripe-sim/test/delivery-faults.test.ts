import Stripe from 'stripe';
import { startReceiver, startSim, WEBHOOK_SECRET, type Receiver, type RunningSim } from './sim.fixture';

let s: RunningSim;
let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver();
  s = await startSim({ webhookUrls: [rx.url] });
});
afterAll(async () => {
  await s.stop();
  await rx.close();
});
afterEach(async () => {
  await s.control('/delivery-faults/reset', {});
  await s.sim.control.webhooksIdle();
});

const webhooks = new Stripe('sk_test_verifier').webhooks;

/** Received webhooks about one PaymentIntent (its own events and its charge's). */
const about = (piId: string) => rx.received.filter((w) => w.event.data.object.id === piId || w.event.data.object.payment_intent === piId);

describe('webhook delivery faults', () => {
  it('duplicate: every event arrives N extra times, each copy validly signed with the same event id', async () => {
    await s.control('/delivery-faults', { duplicate: 2 });
    const pi = await s.stripe.paymentIntents.create({ amount: 100, currency: 'usd' });
    await s.sim.control.webhooksIdle();
    const got = about(pi.id);
    expect(got).toHaveLength(3);
    expect(new Set(got.map((w) => w.event.id)).size).toBe(1);
    for (const w of got) expect(webhooks.constructEvent(w.raw, w.signature, WEBHOOK_SECRET).type).toBe('payment_intent.created');
    const deliveries = s.sim.state.deliveries.filter((d) => d.eventId === got[0]!.event.id);
    expect(deliveries.filter((d) => d.duplicateOf)).toHaveLength(2);
  });

  it('reorder: holds a batch of events and delivers it newest first', async () => {
    await s.control('/delivery-faults', { reorder: true, reorderWindowMs: 100 });
    const pi = await s.stripe.paymentIntents.create({ amount: 101, currency: 'usd' });
    await s.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    await s.sim.control.webhooksIdle();
    expect(about(pi.id).map((w) => w.event.type)).toEqual(['payment_intent.succeeded', 'charge.succeeded', 'payment_intent.created']);
  });

  it('reorder can be flushed by hand and turning it off releases what was held', async () => {
    await s.control('/delivery-faults', { reorder: true, reorderWindowMs: 60_000 });
    const pi = await s.stripe.paymentIntents.create({ amount: 102, currency: 'usd' });
    await s.stripe.paymentIntents.cancel(pi.id);
    await new Promise((r) => setTimeout(r, 100));
    expect(about(pi.id)).toHaveLength(0);
    const flushed = await s.control<{ flushed: number }>('/delivery-faults/flush', {});
    expect(flushed.body.flushed).toBe(2);
    await s.sim.control.webhooksIdle();
    expect(about(pi.id).map((w) => w.event.type)).toEqual(['payment_intent.canceled', 'payment_intent.created']);
  });

  it('dropNext: the next N deliveries are lost without retry, later ones arrive', async () => {
    await s.control('/delivery-faults', { dropNext: 2 });
    const pi = await s.stripe.paymentIntents.create({ amount: 103, currency: 'usd' });
    await s.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    await s.sim.control.webhooksIdle();
    expect(about(pi.id).map((w) => w.event.type)).toEqual(['payment_intent.succeeded']);
    const dropped = s.sim.state.deliveries.filter((d) => d.status === 'dropped');
    expect(dropped.map((d) => d.eventType)).toEqual(['payment_intent.created', 'charge.succeeded']);
    expect(dropped.every((d) => d.attempts === 0)).toBe(true);
    // A dropped event can still be fetched, and resent.
    const lost = await s.stripe.events.retrieve(dropped[0]!.eventId);
    expect(lost.pending_webhooks).toBe(1);
    await s.control(`/events/${lost.id}/redeliver`, {});
    await s.sim.control.webhooksIdle();
    expect(about(pi.id).map((w) => w.event.type)).toEqual(['payment_intent.succeeded', 'payment_intent.created']);
  });

  it('failNext: the next N attempts fail before sending, so the delivery is retried and then arrives', async () => {
    await s.control('/delivery-faults', { failNext: 2 });
    const pi = await s.stripe.paymentIntents.create({ amount: 104, currency: 'usd' });
    await s.sim.control.webhooksIdle();
    expect(about(pi.id)).toHaveLength(1);
    const d = s.sim.state.deliveries.find((x) => x.eventId === about(pi.id)[0]!.event.id)!;
    expect(d).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(d.history.map((h) => h.error ?? h.status)).toEqual(['failed by delivery fault', 'failed by delivery fault', 200]);
  });

  it('delayMs: deliveries wait before the first attempt', async () => {
    await s.control('/delivery-faults', { delayMs: 250 });
    const started = Date.now();
    const pi = await s.stripe.paymentIntents.create({ amount: 105, currency: 'usd' });
    await new Promise((r) => setTimeout(r, 100));
    expect(about(pi.id)).toHaveLength(0);
    await s.sim.control.webhooksIdle();
    expect(about(pi.id)).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('rejects unknown fault fields', async () => {
    const res = await s.control('/delivery-faults', { shuffle: true });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { type: 'invalid_request_error' } });
  });
});
