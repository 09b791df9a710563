import Stripe from 'stripe';
import { startSim, type RunningSim } from './sim.fixture';

let s: RunningSim;
let clock = Date.now();
beforeAll(async () => {
  s = await startSim({ now: () => clock });
});
afterAll(async () => {
  await s.stop();
});
afterEach(() => {
  s.sim.control.resetFaults();
});

const key = () => `order-${Math.random().toString(36).slice(2)}`;

describe('Idempotency-Key semantics', () => {
  it('replays the first response for the same key: same PaymentIntent, no second object, Idempotent-Replayed header', async () => {
    const k = key();
    const before = s.sim.state.paymentIntents.size;
    const a = await s.stripe.paymentIntents.create({ amount: 1299, currency: 'usd', metadata: { orderId: k } }, { idempotencyKey: k });
    const b = await s.stripe.paymentIntents.create({ amount: 1299, currency: 'usd', metadata: { orderId: k } }, { idempotencyKey: k });
    expect(b.id).toBe(a.id);
    expect(b.client_secret).toBe(a.client_secret);
    expect(b.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(a.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(b.lastResponse.idempotencyKey).toBe(k);
    expect(s.sim.state.paymentIntents.size).toBe(before + 1);

    const raw = await s.raw('POST', '/payment_intents', `amount=1299&currency=usd&metadata[orderId]=${k}`, { 'idempotency-key': k });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('idempotent-replayed')).toBe('true');
    expect(raw.body.id).toBe(a.id);
  });

  it('the same key with different parameters is an idempotency_error; on another endpoint too', async () => {
    const k = key();
    await s.stripe.paymentIntents.create({ amount: 1299, currency: 'usd' }, { idempotencyKey: k });
    const err = await s.stripe.paymentIntents.create({ amount: 1300, currency: 'usd' }, { idempotencyKey: k }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(err).toMatchObject({ statusCode: 400, type: 'StripeIdempotencyError' });
    expect((err as Error).message).toContain('same parameters');

    const other = await s.stripe.refunds.create({ payment_intent: 'pi_x' }, { idempotencyKey: k }).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect((other as Error).message).toContain('same endpoint');
  });

  it('the SDK auto keys (stripe-node-retry-*) make every call its own request', async () => {
    const a = await s.stripe.paymentIntents.create({ amount: 100, currency: 'usd' });
    const b = await s.stripe.paymentIntents.create({ amount: 100, currency: 'usd' });
    expect(a.id).not.toBe(b.id);
    expect(a.lastResponse.idempotencyKey).toMatch(/^stripe-node-retry-/);
  });

  it('does not store parameter-validation failures, so a corrected request with the key executes', async () => {
    const k = key();
    const bad = await s.stripe.paymentIntents.create({ amount: 0, currency: 'usd' }, { idempotencyKey: k }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ statusCode: 400, code: 'amount_too_small' });
    const good = await s.stripe.paymentIntents.create({ amount: 100, currency: 'usd' }, { idempotencyKey: k });
    expect(good.status).toBe('requires_payment_method');
  });

  it('stores a decline (402) and replays it without a second charge attempt', async () => {
    const pi = await s.stripe.paymentIntents.create({ amount: 100, currency: 'usd' });
    const k = key();
    const e1 = (await s.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_chargeDeclined' }, { idempotencyKey: k }).catch((e: unknown) => e)) as Stripe.errors.StripeCardError;
    const e2 = (await s.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_chargeDeclined' }, { idempotencyKey: k }).catch((e: unknown) => e)) as Stripe.errors.StripeCardError;
    expect(e1.statusCode).toBe(402);
    expect(e2.statusCode).toBe(402);
    expect(e2.charge).toBe(e1.charge);
    expect(e2.headers?.['idempotent-replayed']).toBe('true');
    const charges = await s.stripe.charges.list({ payment_intent: pi.id });
    expect(charges.data).toHaveLength(1);
  });

  it('answers 409 to a concurrent duplicate while the first is still executing', async () => {
    s.sim.control.setFaults({ latencyMs: 300, paths: ['/v1/payment_intents'] });
    const k = key();
    const form = 'amount=555&currency=usd';
    const first = s.raw('POST', '/payment_intents', form, { 'idempotency-key': k });
    await new Promise((r) => setTimeout(r, 60));
    const second = await s.raw('POST', '/payment_intents', form, { 'idempotency-key': k });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ error: { type: 'idempotency_error', code: 'idempotency_key_in_use' } });
    const done = await first;
    expect(done.status).toBe(200);
    const third = await s.raw('POST', '/payment_intents', form, { 'idempotency-key': k });
    expect(third.body.id).toBe(done.body.id);
  });

  it('an injected 500 is not stored: the SDK retry with the same key creates exactly one PaymentIntent', async () => {
    const client = s.client(undefined, 2);
    s.sim.control.setFaults({ failNext: 1, paths: ['/v1/payment_intents'] });
    const k = key();
    const before = s.sim.state.paymentIntents.size;
    const pi = await client.paymentIntents.create({ amount: 321, currency: 'usd' }, { idempotencyKey: k });
    expect(pi.amount).toBe(321);
    expect(s.sim.state.paymentIntents.size).toBe(before + 1);
    expect(s.sim.state.faults.failNext).toBe(0);
  });

  it('forgets keys after 24 hours', async () => {
    const k = key();
    const a = await s.stripe.paymentIntents.create({ amount: 100, currency: 'usd' }, { idempotencyKey: k });
    clock += 23 * 3600 * 1000;
    const b = await s.stripe.paymentIntents.create({ amount: 100, currency: 'usd' }, { idempotencyKey: k });
    expect(b.id).toBe(a.id);
    clock += 1 * 3600 * 1000 + 1000;
    const c = await s.stripe.paymentIntents.create({ amount: 100, currency: 'usd' }, { idempotencyKey: k });
    expect(c.id).not.toBe(a.id);
  });
});
