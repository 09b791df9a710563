/** Plain domain types of the payment service; repositories map Prisma rows to these. */

export interface Money {
  /** Integer minor units. */
  amount: number;
  /** ISO 4217, upper case. */
  currency: string;
}

export type PaymentPurpose = 'B2C_ORDER' | 'VENDOR_TOPUP';

export type PaymentStatus = 'PENDING' | 'SUCCEEDED' | 'MISMATCHED' | 'CANCELED' | 'REFUND_PENDING' | 'REFUNDED';

export interface Payment {
  id: string;
  purpose: PaymentPurpose;
  referenceId: string;
  amount: Money;
  status: PaymentStatus;
  /** The PaymentIntent we created for this payment (null until Stripe answered). */
  paymentIntentId: string | null;
  clientSecret: string | null;
  stripeStatus: string | null;
  /** The PaymentIntent holding the customer's money once SUCCEEDED or MISMATCHED. */
  settledPaymentIntentId: string | null;
  lastFailedChargeId: string | null;
}

/** The PaymentIntent as Stripe reports it now (read back, never taken from an event payload). */
export interface PaymentIntentSnapshot {
  id: string;
  status: string;
  amount: number;
  amountReceived: number;
  /** ISO 4217, upper case (Stripe sends lower case). */
  currency: string;
  clientSecret: string | null;
  metadata: Record<string, string>;
  lastPaymentError: { chargeId: string | null; code: string | null; declineCode: string | null; message: string | null } | null;
}

export interface ChargeSnapshot {
  id: string;
  paymentIntentId: string | null;
  amount: number;
  amountRefunded: number;
  currency: string;
  /** true only when fully refunded */
  refunded: boolean;
}

export interface RefundSnapshot {
  id: string;
  paymentIntentId: string | null;
  amount: number;
  currency: string;
  /** pending, requires_action, succeeded, failed, canceled */
  status: string;
}
