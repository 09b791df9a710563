import Stripe from 'stripe';
import { DEFAULT_API_VERSION } from '../src/sim.app';
import { startSim, type RunningSim } from './sim.fixture';

let s: RunningSim;
beforeAll(async () => {
  s = await startSim();
});
afterAll(async () => {
  await s.stop();
});

async function expectStripeError(p: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(Stripe.errors.StripeError);
    return err as Stripe.errors.StripeError;
  }
  throw new Error('expected a Stripe error');
}

const orderId = () => `ord_${Math.random().toString(36).slice(2)}`;

describe('PaymentIntents through the real stripe SDK', () => {
  it('pins the same API version as the installed SDK', () => {
    expect(DEFAULT_API_VERSION).toBe(Stripe.API_VERSION);
  });

  it('creates a PaymentIntent in Stripe shape from form-encoded nested parameters', async () => {
    const id = orderId();
    const pi = await s.stripe.paymentIntents.create({
      amount: 1299,
      currency: 'USD',
      metadata: { orderId: id, channel: 'b2c' },
      description: 'eSIM France 1GB',
      receipt_email: 'traveller@example.com',
      automatic_payment_methods: { enabled: true },
    });
    expect(pi).toMatchObject({
      object: 'payment_intent',
      amount: 1299,
      amount_received: 0,
      currency: 'usd',
      status: 'requires_payment_method',
      metadata: { orderId: id, channel: 'b2c' },
      description: 'eSIM France 1GB',
      receipt_email: 'traveller@example.com',
      automatic_payment_methods: { enabled: true },
      livemode: false,
      latest_charge: null,
      last_payment_error: null,
      payment_method: null,
      canceled_at: null,
      cancellation_reason: null,
    });
    expect(pi.id).toMatch(/^pi_[A-Za-z0-9]{24}$/);
    expect(pi.client_secret).toMatch(new RegExp(`^${pi.id}_secret_[A-Za-z0-9]+$`));
    expect(Math.abs(pi.created - Date.now() / 1000)).toBeLessThan(5);
    expect(pi.lastResponse.headers['request-id']).toMatch(/^req_/);
    expect(pi.lastResponse.headers['stripe-version']).toBe(Stripe.API_VERSION);

    const again = await s.stripe.paymentIntents.retrieve(pi.id);
    expect({ ...again }).toEqual({ ...pi });
  });

  it('updates metadata, unsetting a key with an empty value', async () => {
    const pi = await s.stripe.paymentIntents.create({ amount: 500, currency: 'eur', metadata: { a: '1', b: '2' } });
    const updated = await s.stripe.paymentIntents.update(pi.id, { metadata: { b: '', c: '3' }, description: 'changed' });
    expect(updated.metadata).toEqual({ a: '1', c: '3' });
    expect(updated.description).toBe('changed');
    expect((await s.stripe.paymentIntents.retrieve(pi.id)).metadata).toEqual({ a: '1', c: '3' });
  });

  it('confirms with pm_card_visa: succeeded, a Charge, and succeeded events carrying the metadata', async () => {
    const id = orderId();
    const pi = await s.stripe.paymentIntents.create({ amount: 2500, currency: 'gbp', metadata: { orderId: id } });
    const done = await s.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    expect(done.status).toBe('succeeded');
    expect(done.amount_received).toBe(2500);
    expect(done.payment_method).toMatch(/^pm_/);
    expect(done.latest_charge).toMatch(/^ch_/);

    const charge = await s.stripe.charges.retrieve(done.latest_charge as string);
    expect(charge).toMatchObject({ object: 'charge', amount: 2500, amount_captured: 2500, amount_refunded: 0, refunded: false, paid: true, status: 'succeeded', payment_intent: pi.id, currency: 'gbp', metadata: { orderId: id } });
    expect(charge.payment_method_details?.card?.last4).toBe('4242');

    const events = await s.stripe.events.list({ limit: 100 });
    const mine = events.data.filter((e) => (e.data.object as { id?: string; payment_intent?: string }).id === pi.id || (e.data.object as { payment_intent?: string }).payment_intent === pi.id);
    expect(mine.map((e) => e.type).sort()).toEqual(['charge.succeeded', 'payment_intent.created', 'payment_intent.succeeded']);
    const succeeded = mine.find((e) => e.type === 'payment_intent.succeeded')!;
    expect(succeeded.data.object).toMatchObject({ id: pi.id, status: 'succeeded', amount_received: 2500, metadata: { orderId: id }, latest_charge: done.latest_charge });
    expect(succeeded.request?.idempotency_key).toMatch(/^stripe-node-retry-/);
    expect(succeeded.api_version).toBe(Stripe.API_VERSION);

    const expanded = await s.stripe.paymentIntents.retrieve(pi.id, { expand: ['latest_charge'] });
    expect((expanded.latest_charge as Stripe.Charge).id).toBe(done.latest_charge);
  });

  it('declines pm_card_chargeDeclined with a 402 card_error and returns the PaymentIntent to requires_payment_method', async () => {
    const pi = await s.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const err = await expectStripeError(s.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_chargeDeclined' }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeCardError);
    expect(err.statusCode).toBe(402);
    expect(err.code).toBe('card_declined');
    expect(err.decline_code).toBe('generic_decline');
    expect(err.message).toBe('Your card was declined.');
    expect(err.payment_intent?.id).toBe(pi.id);

    const after = await s.stripe.paymentIntents.retrieve(pi.id);
    expect(after.status).toBe('requires_payment_method');
    expect(after.payment_method).toBeNull();
    expect(after.last_payment_error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', charge: after.latest_charge });
    const failedCharge = await s.stripe.charges.retrieve(after.latest_charge as string);
    expect(failedCharge).toMatchObject({ status: 'failed', paid: false, failure_code: 'card_declined' });

    const failed = await s.stripe.events.list({ type: 'payment_intent.payment_failed', limit: 100 });
    expect(failed.data.some((e) => (e.data.object as Stripe.PaymentIntent).id === pi.id)).toBe(true);

    // A later attempt with a good card succeeds.
    const retried = await s.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    expect(retried.status).toBe('succeeded');
    expect(retried.last_payment_error).toBeNull();
  });

  it('declines pm_card_chargeDeclinedInsufficientFunds with decline_code insufficient_funds', async () => {
    const pi = await s.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const err = await expectStripeError(s.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_chargeDeclinedInsufficientFunds' }));
    expect(err).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'insufficient_funds', type: 'StripeCardError' });
  });

  it('refuses an unknown payment method with 400 resource_missing', async () => {
    const pi = await s.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const err = await expectStripeError(s.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_nope' }));
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'payment_method' });
  });

  it('creates and confirms in one call with confirm=true', async () => {
    const pi = await s.stripe.paymentIntents.create({ amount: 700, currency: 'usd', payment_method: 'pm_card_mastercard', confirm: true });
    expect(pi.status).toBe('succeeded');
    const charge = await s.stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge.payment_method_details?.card?.brand).toBe('mastercard');
  });

  it('refuses to confirm a succeeded or canceled PaymentIntent (payment_intent_unexpected_state)', async () => {
    const paid = await s.stripe.paymentIntents.create({ amount: 900, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const e1 = await expectStripeError(s.stripe.paymentIntents.confirm(paid.id, { payment_method: 'pm_card_visa' }));
    expect(e1).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });

    const dropped = await s.stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    await s.stripe.paymentIntents.cancel(dropped.id);
    const e2 = await expectStripeError(s.stripe.paymentIntents.confirm(dropped.id, { payment_method: 'pm_card_visa' }));
    expect(e2).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
  });

  it('cancels with a reason and emits payment_intent.canceled; a succeeded PaymentIntent cannot be canceled', async () => {
    const pi = await s.stripe.paymentIntents.create({ amount: 900, currency: 'usd' });
    const canceled = await s.stripe.paymentIntents.cancel(pi.id, { cancellation_reason: 'abandoned' });
    expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'abandoned' });
    expect(canceled.canceled_at).toEqual(expect.any(Number));
    const events = await s.stripe.events.list({ type: 'payment_intent.canceled' });
    expect(events.data.some((e) => (e.data.object as Stripe.PaymentIntent).id === pi.id)).toBe(true);

    const paid = await s.stripe.paymentIntents.create({ amount: 900, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    const err = await expectStripeError(s.stripe.paymentIntents.cancel(paid.id));
    expect(err).toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
    expect(err.message).toContain('status of succeeded');
  });

  it('validates parameters like Stripe: missing, invalid and unknown parameters', async () => {
    const missing = await expectStripeError(s.stripe.paymentIntents.create({ currency: 'usd' } as Stripe.PaymentIntentCreateParams));
    expect(missing).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'amount', message: 'Missing required param: amount.' });
    const zero = await expectStripeError(s.stripe.paymentIntents.create({ amount: 0, currency: 'usd' }));
    expect(zero).toMatchObject({ statusCode: 400, code: 'amount_too_small', param: 'amount' });
    const unknown = await expectStripeError(s.stripe.paymentIntents.create({ amount: 100, currency: 'usd', colour: 'blue' } as Stripe.PaymentIntentCreateParams));
    expect(unknown).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'colour' });
    const notFound = await expectStripeError(s.stripe.paymentIntents.retrieve('pi_doesnotexist'));
    expect(notFound).toMatchObject({ statusCode: 404, code: 'resource_missing', message: "No such payment_intent: 'pi_doesnotexist'" });
  });

  it('lists newest first with limit/starting_after, and the SDK auto-pagination walks every page', async () => {
    const tag = orderId();
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await s.stripe.paymentIntents.create({ amount: 100 + i, currency: 'usd', metadata: { tag } })).id);
    const first = await s.stripe.paymentIntents.list({ limit: 2 });
    expect(first).toMatchObject({ object: 'list', url: '/v1/payment_intents', has_more: true });
    expect(first.data.map((p) => p.id)).toEqual([created[4], created[3]]);
    const second = await s.stripe.paymentIntents.list({ limit: 2, starting_after: created[3] });
    expect(second.data.map((p) => p.id)).toEqual([created[2], created[1]]);

    const all: string[] = [];
    for await (const p of s.stripe.paymentIntents.list({ limit: 3 })) if (p.metadata.tag === tag) all.push(p.id);
    expect(all).toEqual([...created].reverse());
  });

  it('POST /__sim/payment_intents/:id/succeed behaves like confirm with pm_card_visa', async () => {
    const pi = await s.stripe.paymentIntents.create({ amount: 4200, currency: 'usd', metadata: { orderId: 'shortcut' } });
    const res = await s.control<Stripe.PaymentIntent>(`/payment_intents/${pi.id}/succeed`, {});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: pi.id, status: 'succeeded', amount_received: 4200 });
    const events = await s.stripe.events.list({ type: 'payment_intent.succeeded' });
    const ev = events.data.find((e) => (e.data.object as Stripe.PaymentIntent).id === pi.id)!;
    expect(ev.request).toEqual({ id: null, idempotency_key: null });

    const again = await s.control(`/payment_intents/${pi.id}/succeed`, {});
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ error: { code: 'payment_intent_unexpected_state' } });

    const other = await s.stripe.paymentIntents.create({ amount: 4200, currency: 'usd' });
    const failed = await s.control<Stripe.PaymentIntent>(`/payment_intents/${other.id}/fail`, { decline_code: 'insufficient_funds' });
    expect(failed.body).toMatchObject({ status: 'requires_payment_method', last_payment_error: { decline_code: 'insufficient_funds' } });
  });
});
