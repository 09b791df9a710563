import { z } from 'zod';
import { MoneySchema } from '../common';
import { defineRpc } from '../define';

/**
 * order (or vendor-billing for top-ups) -> payment: create the Stripe PaymentIntent for a purchase, with the
 * purchase id as Stripe's idempotency key, so a retried call returns the same intent.
 */
export const CreatePaymentIntentV1 = defineRpc(
  'payment.create-payment-intent.v1',
  z.object({
    purpose: z.enum(['B2C_ORDER', 'VENDOR_TOPUP']),
    /** Our order id (B2C) or top-up id (vendor). */
    referenceId: z.uuid(),
    amount: MoneySchema,
    customerEmail: z.email().optional(),
    description: z.string().max(500).optional(),
  }),
  z.object({
    paymentIntentId: z.string(),
    clientSecret: z.string(),
    publishableKey: z.string(),
    status: z.string(),
  }),
);
