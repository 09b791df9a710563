/**
 * The payment's guarded transitions. Stripe events are hints: the application reads the current PaymentIntent
 * (or Charge / Refund) back from Stripe and asks these functions what, if anything, changes. Because a decision
 * depends only on our stored state and Stripe's current state, a replayed, duplicated or out-of-order event
 * yields 'none' and changes nothing.
 */
import { checkReceivedAmount } from './payment-amount.check';
import type { ChargeSnapshot, Money, Payment, PaymentIntentSnapshot, PaymentStatus, RefundSnapshot } from './payment';

const TRANSITIONS: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  PENDING: ['SUCCEEDED', 'MISMATCHED', 'CANCELED'],
  // Money can still arrive after we gave up on a payment (a foreign intent, a race with the cancel): it must be
  // announced so the owner of the purchase refunds it.
  CANCELED: ['SUCCEEDED', 'MISMATCHED'],
  SUCCEEDED: ['REFUND_PENDING', 'REFUNDED'],
  MISMATCHED: ['REFUND_PENDING', 'REFUNDED'],
  REFUND_PENDING: ['REFUNDED'],
  REFUNDED: [],
};

/** Statuses in which we hold the customer's money. */
export const SETTLED_STATUSES: readonly PaymentStatus[] = ['SUCCEEDED', 'MISMATCHED', 'REFUND_PENDING'];

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export class IllegalTransitionError extends Error {
  readonly code = 'ILLEGAL_PAYMENT_TRANSITION';
  constructor(
    readonly from: PaymentStatus,
    readonly to: PaymentStatus,
  ) {
    super(`a payment cannot go from ${from} to ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

export function assertTransition(from: PaymentStatus, to: PaymentStatus): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}

export type PaymentIntentDecision =
  | { kind: 'none'; reason: string }
  | { kind: 'succeeded'; paymentIntentId: string; received: Money }
  | { kind: 'mismatched'; paymentIntentId: string; received: Money; reason: string }
  | { kind: 'failed'; paymentIntentId: string; chargeId: string; reason: string }
  | { kind: 'canceled'; paymentIntentId: string };

/** What the current state of a PaymentIntent means for the payment. */
export function decideOnPaymentIntent(payment: Payment, pi: PaymentIntentSnapshot): PaymentIntentDecision {
  const ours = payment.paymentIntentId === null || payment.paymentIntentId === pi.id;
  switch (pi.status) {
    case 'succeeded': {
      if (!canTransition(payment.status, 'SUCCEEDED')) return { kind: 'none', reason: `payment already ${payment.status}` };
      const received: Money = { amount: pi.amountReceived, currency: pi.currency.toUpperCase() };
      if (!ours) {
        return { kind: 'mismatched', paymentIntentId: pi.id, received, reason: `PaymentIntent ${pi.id} is not the one created for this payment` };
      }
      const check = checkReceivedAmount(payment.amount, pi);
      if (!check.ok) {
        return {
          kind: 'mismatched',
          paymentIntentId: pi.id,
          received: check.received,
          reason: `received ${check.received.amount} ${check.received.currency}, expected ${payment.amount.amount} ${payment.amount.currency}`,
        };
      }
      return { kind: 'succeeded', paymentIntentId: pi.id, received };
    }
    case 'canceled':
      if (!ours) return { kind: 'none', reason: `PaymentIntent ${pi.id} is not ours` };
      if (!canTransition(payment.status, 'CANCELED')) return { kind: 'none', reason: `payment already ${payment.status}` };
      return { kind: 'canceled', paymentIntentId: pi.id };
    case 'requires_payment_method': {
      const chargeId = pi.lastPaymentError?.chargeId;
      if (!ours || payment.status !== 'PENDING' || !chargeId) return { kind: 'none', reason: 'no new failed attempt' };
      // Each declined attempt has its own charge: one announcement per charge, however often the event comes.
      if (chargeId === payment.lastFailedChargeId) return { kind: 'none', reason: `attempt ${chargeId} already announced` };
      const error = pi.lastPaymentError;
      const reason = error?.declineCode ?? error?.code ?? error?.message ?? 'payment_failed';
      return { kind: 'failed', paymentIntentId: pi.id, chargeId, reason };
    }
    default:
      return { kind: 'none', reason: `PaymentIntent is ${pi.status}` };
  }
}

export type RefundDecision =
  | { kind: 'none'; reason: string }
  | { kind: 'refund-pending'; refundId: string }
  | { kind: 'refunded'; refundId: string };

/** What a refund Stripe reports (created by us, or found on the charge) means for the payment. */
export function decideOnRefund(payment: Payment, refund: Pick<RefundSnapshot, 'id' | 'status'>): RefundDecision {
  if (!SETTLED_STATUSES.includes(payment.status)) return { kind: 'none', reason: `payment is ${payment.status}` };
  if (refund.status === 'succeeded') return { kind: 'refunded', refundId: refund.id };
  if ((refund.status === 'pending' || refund.status === 'requires_action') && payment.status !== 'REFUND_PENDING') {
    return { kind: 'refund-pending', refundId: refund.id };
  }
  return { kind: 'none', reason: `refund ${refund.id} is ${refund.status}` };
}

/** charge.refunded: only a full refund of the charge holding our money completes the payment's refund. */
export function decideOnCharge(payment: Payment, charge: ChargeSnapshot, refundId: string | null): RefundDecision {
  if (!SETTLED_STATUSES.includes(payment.status)) return { kind: 'none', reason: `payment is ${payment.status}` };
  if (charge.paymentIntentId === null || charge.paymentIntentId !== payment.settledPaymentIntentId) {
    return { kind: 'none', reason: `charge ${charge.id} is not the one holding the money` };
  }
  if (!charge.refunded) return { kind: 'none', reason: `charge ${charge.id} is only partly refunded` };
  if (!refundId) return { kind: 'none', reason: `no refund found on charge ${charge.id}` };
  return { kind: 'refunded', refundId };
}
