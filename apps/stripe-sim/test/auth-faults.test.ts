import Stripe from 'stripe';
import { SECRET_KEY, startSim, type RunningSim } from './sim.fixture';

let s: RunningSim;
beforeAll(async () => {
  s = await startSim();
});
afterAll(async () => {
  await s.stop();
});
afterEach(async () => {
  await s.control('/faults/reset', {});
});

describe('authentication', () => {
  it.each(['sk_live_abcdefghijklmnop', 'pk_test_abcdefghijklmnop', 'rk_test_abc'])('answers 401 in Stripe format for %s', async (key) => {
    const err = await s.client(key).paymentIntents.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(err).toMatchObject({ statusCode: 401, rawType: 'invalid_request_error' });
    expect((err as Error).message).toMatch(/^Invalid API Key provided: /);
    expect((err as Error).message).not.toContain(key);
  });

  it('answers 401 without a key, and accepts Basic auth with a test key', async () => {
    const none = await fetch(`${s.origin}/v1/payment_intents`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringContaining('You did not provide an API key') } });
    const basic = await fetch(`${s.origin}/v1/payment_intents`, { headers: { authorization: `Basic ${Buffer.from(`${SECRET_KEY}:`).toString('base64')}` } });
    expect(basic.status).toBe(200);
    expect(await basic.json()).toMatchObject({ object: 'list', url: '/v1/payment_intents' });
  });

  it('answers unknown URLs with Stripe 404 wording', async () => {
    const res = await s.raw('GET', '/customers_nope');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringContaining('Unrecognized request URL (GET: /v1/customers_nope)') } });
  });
});

describe('API faults', () => {
  it('errorRate 1 on a path answers 500 api_error in Stripe format there and nowhere else', async () => {
    const set = await s.control<{ faults: Record<string, unknown> }>('/faults', { errorRate: 1, paths: ['/v1/refunds'] });
    expect(set.body.faults).toMatchObject({ errorRate: 1, paths: ['/v1/refunds'] });
    const err = await s.stripe.refunds.create({ payment_intent: 'pi_x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(err).toMatchObject({ statusCode: 500, rawType: 'api_error' });
    const ok = await s.stripe.paymentIntents.create({ amount: 100, currency: 'usd' });
    expect(ok.status).toBe('requires_payment_method');
  });

  it('failNext makes the next N requests fail; the SDK retries through them', async () => {
    await s.control('/faults', { failNext: 2 });
    const pi = await s.client(SECRET_KEY, 2).paymentIntents.create({ amount: 100, currency: 'usd' });
    expect(pi.amount).toBe(100);
    const snapshot = await s.control<{ faults: { failNext: number }; totalRequests: number }>('/state');
    expect(snapshot.body.faults.failNext).toBe(0);
  });

  it('latencyMs slows requests down', async () => {
    await s.control('/faults', { latencyMs: 200 });
    const started = Date.now();
    await s.stripe.paymentIntents.list({ limit: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('reset clears objects, events and faults but keeps webhook endpoints', async () => {
    await s.control('/webhooks', { url: 'http://127.0.0.1:9/nowhere' });
    await s.control('/faults', { latencyMs: 5 });
    await s.stripe.paymentIntents.create({ amount: 100, currency: 'usd' });
    const res = await s.control<{ counts: Record<string, number>; faults: { latencyMs: number }; webhooks: { urls: string[] } }>('/reset', {});
    expect(res.body.counts).toMatchObject({ paymentIntents: 0, charges: 0, refunds: 0, events: 0, idempotencyKeys: 0 });
    expect(res.body.faults.latencyMs).toBe(0);
    expect(res.body.webhooks.urls).toEqual(['http://127.0.0.1:9/nowhere']);
    await s.control('/webhooks', { url: null });
    await s.control('/reset', {});
  });
});
