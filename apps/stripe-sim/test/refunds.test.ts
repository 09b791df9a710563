import Stripe from 'stripe';
import { startSim, type RunningSim } from './sim.fixture';

let s: RunningSim;
beforeAll(async () => {
  s = await startSim();
});
afterAll(async () => {
  await s.stop();
});

async function paid(amount: number, currency = 'usd'): Promise<Stripe.PaymentIntent> {
  return s.stripe.paymentIntents.create({ amount, currency, payment_method: 'pm_card_visa', confirm: true, metadata: { orderId: `o_${amount}_${Math.random()}` } });
}

async function stripeError(p: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  return p.then(
    () => {
      throw new Error('expected a Stripe error');
    },
    (err: Stripe.errors.StripeError) => err,
  );
}

describe('Refunds and Charges', () => {
  it('refunds the full remaining amount by payment_intent, updating the Charge and emitting refund.created + charge.refunded', async () => {
    const pi = await paid(1500);
    const refund = await s.stripe.refunds.create({ payment_intent: pi.id, reason: 'requested_by_customer', metadata: { orderId: pi.metadata.orderId! } });
    expect(refund).toMatchObject({ object: 'refund', amount: 1500, status: 'succeeded', currency: 'usd', payment_intent: pi.id, charge: pi.latest_charge, reason: 'requested_by_customer' });
    expect(refund.id).toMatch(/^re_/);
    expect({ ...(await s.stripe.refunds.retrieve(refund.id)) }).toEqual({ ...refund });

    const charge = await s.stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ amount: 1500, amount_captured: 1500, amount_refunded: 1500, refunded: true });
    expect((await s.stripe.paymentIntents.retrieve(pi.id)).status).toBe('succeeded');

    const refunded = await s.stripe.events.list({ type: 'charge.refunded', limit: 100 });
    const ev = refunded.data.find((e) => (e.data.object as Stripe.Charge).id === charge.id)!;
    expect(ev.data.object).toMatchObject({ object: 'charge', amount_refunded: 1500, refunded: true, payment_intent: pi.id });
    expect(ev.data.previous_attributes).toEqual({ amount_refunded: 0, refunded: false });
    const created = await s.stripe.events.list({ type: 'refund.created', limit: 100 });
    expect(created.data.some((e) => (e.data.object as Stripe.Refund).id === refund.id)).toBe(true);
  });

  it('takes partial refunds until the charge is used up; more than the remainder is amount_too_large', async () => {
    const pi = await paid(1000, 'eur');
    const r1 = await s.stripe.refunds.create({ payment_intent: pi.id, amount: 300 });
    expect(r1.amount).toBe(300);
    let charge = await s.stripe.charges.retrieve(pi.latest_charge as string);
    expect(charge).toMatchObject({ amount_refunded: 300, refunded: false });

    const tooMuch = await stripeError(s.stripe.refunds.create({ payment_intent: pi.id, amount: 701 }));
    expect(tooMuch).toMatchObject({ statusCode: 400, code: 'amount_too_large', param: 'amount' });
    expect(tooMuch.message).toContain('7.00 EUR');

    const r2 = await s.stripe.refunds.create({ charge: pi.latest_charge as string });
    expect(r2.amount).toBe(700);
    charge = await s.stripe.charges.retrieve(pi.latest_charge as string, { expand: ['refunds'] });
    expect(charge).toMatchObject({ amount_refunded: 1000, refunded: true });
    expect(charge.refunds?.data.map((r) => r.id)).toEqual([r2.id, r1.id]);

    const again = await stripeError(s.stripe.refunds.create({ payment_intent: pi.id }));
    expect(again).toMatchObject({ statusCode: 400, code: 'charge_already_refunded' });

    const list = await s.stripe.refunds.list({ payment_intent: pi.id });
    expect(list.data.map((r) => r.id)).toEqual([r2.id, r1.id]);
  });

  it('refuses refunds without a successful charge, without a target, or for unknown objects', async () => {
    const unpaid = await s.stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
    const e1 = await stripeError(s.stripe.refunds.create({ payment_intent: unpaid.id }));
    expect(e1).toMatchObject({ statusCode: 400, code: 'charge_not_refundable' });
    const e2 = await stripeError(s.stripe.refunds.create({}));
    expect(e2).toMatchObject({ statusCode: 400, code: 'parameter_missing' });
    const e3 = await stripeError(s.stripe.refunds.create({ payment_intent: 'pi_missing' }));
    expect(e3).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'payment_intent' });
    const e4 = await stripeError(s.stripe.charges.retrieve('ch_missing'));
    expect(e4).toMatchObject({ statusCode: 404, code: 'resource_missing' });
    const e5 = await stripeError(s.stripe.refunds.retrieve('re_missing'));
    expect(e5).toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('lists charges of a PaymentIntent, including the failed attempt', async () => {
    const pi = await s.stripe.paymentIntents.create({ amount: 800, currency: 'usd' });
    await stripeError(s.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_chargeDeclined' }));
    await s.stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    const charges = await s.stripe.charges.list({ payment_intent: pi.id });
    expect(charges.data.map((c) => c.status)).toEqual(['succeeded', 'failed']);
  });
});
