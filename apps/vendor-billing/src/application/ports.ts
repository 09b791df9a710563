import type { Money } from '@ttelgo/contracts';

export interface PaymentIntent {
  paymentIntentId: string;
  clientSecret: string;
  publishableKey: string;
}

/** payment.create-payment-intent.v1, purpose VENDOR_TOPUP (payment keys the intent on the top-up id). */
export interface PaymentIntentsPort {
  createTopupIntent(req: { topupId: string; amount: Money; email: string; description: string }): Promise<PaymentIntent>;
}

/** The time every use case stamps rows and ledger entries with (tests move it to write past months). */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** Producer of our envelopes (the owner segment of our message names is `billing`). */
export const PRODUCER = 'vendor-billing';

export interface MessageMeta {
  messageId: string;
}
