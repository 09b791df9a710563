import { z } from 'zod';
import { defineCommand } from '../define';

/** order -> payment: refund a purchase in full (idempotent per reference id). */
export const RefundPaymentV1 = defineCommand(
  'payment.refund-payment.v1',
  z.object({ referenceId: z.uuid(), reason: z.string().max(500) }),
);

/** order -> payment: cancel an unpaid purchase's PaymentIntent (idempotent; a paid intent is left alone). */
export const CancelPaymentV1 = defineCommand('payment.cancel-payment.v1', z.object({ referenceId: z.uuid(), reason: z.string().max(500) }));
