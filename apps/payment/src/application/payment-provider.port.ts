/**
 * What the application needs from the card processor (Stripe). Every mutating call carries an idempotency key
 * derived from OUR reference id, so a retry after an unknown outcome can never charge, refund or cancel twice.
 */
import type { ChargeSnapshot, Money, PaymentIntentSnapshot, PaymentPurpose, RefundSnapshot } from '../domain/payment';

/**
 * `unavailable`: the call may or may not have happened (connection error, timeout, 5xx, rate limit after the
 * SDK's own retries): repeat it later with the same idempotency key. `rejected`: Stripe refused it for good.
 */
export class PaymentProviderError extends Error {
  constructor(
    readonly kind: 'unavailable' | 'rejected',
    message: string,
    readonly providerCode?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PaymentProviderError';
  }
}

export interface CreateIntentInput {
  purpose: PaymentPurpose;
  referenceId: string;
  amount: Money;
  customerEmail?: string | null;
  description?: string | null;
}

export interface PaymentProvider {
  readonly publishableKey: string;
  createPaymentIntent(input: CreateIntentInput): Promise<PaymentIntentSnapshot>;
  retrievePaymentIntent(id: string): Promise<PaymentIntentSnapshot>;
  /** Cancels; when Stripe says the intent cannot be cancelled (already succeeded or canceled) returns its current state. */
  cancelPaymentIntent(id: string, referenceId: string): Promise<PaymentIntentSnapshot>;
  /** Refunds in full; when the charge was already refunded returns that refund. */
  refundPaymentIntent(id: string, referenceId: string, reason: string): Promise<RefundSnapshot>;
  retrieveCharge(id: string): Promise<ChargeSnapshot>;
  /** The newest refund of a charge (to name it in payment.refunded.v1), if any. */
  latestRefundOfCharge(chargeId: string): Promise<RefundSnapshot | null>;
}
