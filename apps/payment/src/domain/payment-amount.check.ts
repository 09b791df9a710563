import type { Money, PaymentIntentSnapshot } from './payment';

export type AmountCheck = { ok: true } | { ok: false; received: Money };

/**
 * The money Stripe says it received must be exactly what we asked for, in the same currency. Anything else
 * (a PaymentIntent whose amount was changed, a foreign intent carrying our metadata) must never provision.
 */
export function checkReceivedAmount(expected: Money, pi: Pick<PaymentIntentSnapshot, 'amountReceived' | 'currency'>): AmountCheck {
  const received: Money = { amount: pi.amountReceived, currency: pi.currency.toUpperCase() };
  if (received.amount === expected.amount && received.currency === expected.currency.toUpperCase()) return { ok: true };
  return { ok: false, received };
}
