import { checkReceivedAmount } from './payment-amount.check';
import type { Payment, PaymentIntentSnapshot } from './payment';
import { IllegalTransitionError, assertTransition, canTransition, decideOnCharge, decideOnPaymentIntent, decideOnRefund } from './payment.state-machine';

const payment = (over: Partial<Payment> = {}): Payment => ({
  id: 'p1',
  purpose: 'B2C_ORDER',
  referenceId: '8d1f7a52-3c4e-4a8e-9d55-1f3f2b8c9a10',
  amount: { amount: 1299, currency: 'USD' },
  status: 'PENDING',
  paymentIntentId: 'pi_1',
  clientSecret: 'pi_1_secret_x',
  stripeStatus: 'requires_payment_method',
  settledPaymentIntentId: null,
  lastFailedChargeId: null,
  ...over,
});

const pi = (over: Partial<PaymentIntentSnapshot> = {}): PaymentIntentSnapshot => ({
  id: 'pi_1',
  status: 'succeeded',
  amount: 1299,
  amountReceived: 1299,
  currency: 'USD',
  clientSecret: null,
  metadata: {},
  lastPaymentError: null,
  ...over,
});

describe('payment state machine', () => {
  it('guards transitions', () => {
    expect(canTransition('PENDING', 'SUCCEEDED')).toBe(true);
    expect(canTransition('SUCCEEDED', 'SUCCEEDED')).toBe(false);
    expect(canTransition('REFUNDED', 'SUCCEEDED')).toBe(false);
    expect(canTransition('CANCELED', 'SUCCEEDED')).toBe(true);
    expect(() => assertTransition('REFUNDED', 'CANCELED')).toThrow(IllegalTransitionError);
  });

  it('a succeeded intent with the right amount succeeds the payment, once', () => {
    expect(decideOnPaymentIntent(payment(), pi())).toMatchObject({ kind: 'succeeded', paymentIntentId: 'pi_1' });
    expect(decideOnPaymentIntent(payment({ status: 'SUCCEEDED' }), pi()).kind).toBe('none');
    expect(decideOnPaymentIntent(payment({ status: 'REFUNDED' }), pi()).kind).toBe('none');
  });

  it('another amount, another currency or a foreign intent is a mismatch', () => {
    expect(decideOnPaymentIntent(payment(), pi({ amountReceived: 999 }))).toMatchObject({ kind: 'mismatched', received: { amount: 999, currency: 'USD' } });
    expect(decideOnPaymentIntent(payment(), pi({ currency: 'EUR' }))).toMatchObject({ kind: 'mismatched', received: { amount: 1299, currency: 'EUR' } });
    expect(decideOnPaymentIntent(payment(), pi({ id: 'pi_2' }))).toMatchObject({ kind: 'mismatched', paymentIntentId: 'pi_2' });
    expect(checkReceivedAmount({ amount: 1299, currency: 'usd' }, { amountReceived: 1299, currency: 'usd' })).toEqual({ ok: true });
  });

  it('announces each failed attempt once, and none after the payment settled', () => {
    const failed = pi({ status: 'requires_payment_method', amountReceived: 0, lastPaymentError: { chargeId: 'ch_1', code: 'card_declined', declineCode: 'insufficient_funds', message: 'no' } });
    expect(decideOnPaymentIntent(payment(), failed)).toMatchObject({ kind: 'failed', chargeId: 'ch_1', reason: 'insufficient_funds' });
    expect(decideOnPaymentIntent(payment({ lastFailedChargeId: 'ch_1' }), failed).kind).toBe('none');
    expect(decideOnPaymentIntent(payment({ status: 'SUCCEEDED' }), failed).kind).toBe('none');
  });

  it('a canceled intent cancels a pending payment only', () => {
    expect(decideOnPaymentIntent(payment(), pi({ status: 'canceled' })).kind).toBe('canceled');
    expect(decideOnPaymentIntent(payment({ status: 'CANCELED' }), pi({ status: 'canceled' })).kind).toBe('none');
    expect(decideOnPaymentIntent(payment({ status: 'SUCCEEDED' }), pi({ status: 'canceled' })).kind).toBe('none');
  });

  it('refunds: succeeded completes, pending waits for charge.refunded', () => {
    const settled = payment({ status: 'SUCCEEDED', settledPaymentIntentId: 'pi_1' });
    expect(decideOnRefund(settled, { id: 're_1', status: 'succeeded' })).toEqual({ kind: 'refunded', refundId: 're_1' });
    expect(decideOnRefund(settled, { id: 're_1', status: 'pending' })).toEqual({ kind: 'refund-pending', refundId: 're_1' });
    expect(decideOnRefund(payment({ status: 'REFUNDED' }), { id: 're_1', status: 'succeeded' }).kind).toBe('none');
    expect(decideOnRefund(payment(), { id: 're_1', status: 'succeeded' }).kind).toBe('none');

    const pending = payment({ status: 'REFUND_PENDING', settledPaymentIntentId: 'pi_1' });
    const charge = { id: 'ch_1', paymentIntentId: 'pi_1', amount: 1299, amountRefunded: 1299, currency: 'USD', refunded: true };
    expect(decideOnCharge(pending, charge, 're_1')).toEqual({ kind: 'refunded', refundId: 're_1' });
    expect(decideOnCharge(pending, { ...charge, refunded: false, amountRefunded: 100 }, 're_1').kind).toBe('none');
    expect(decideOnCharge(pending, { ...charge, paymentIntentId: 'pi_other' }, 're_1').kind).toBe('none');
    expect(decideOnCharge(payment({ status: 'REFUNDED', settledPaymentIntentId: 'pi_1' }), charge, 're_1').kind).toBe('none');
  });
});
