import { z } from 'zod';
import { MoneySchema } from '../common';
import { defineEvent } from '../define';

const payment = z.object({
  purpose: z.enum(['B2C_ORDER', 'VENDOR_TOPUP']),
  referenceId: z.uuid(),
  paymentIntentId: z.string(),
  amount: MoneySchema,
  occurredAt: z.iso.datetime({ offset: true }),
});

/** The PaymentIntent succeeded and the received amount and currency equal what we asked for. */
export const PaymentSucceededV1 = defineEvent('payment.succeeded.v1', payment);
/** An attempt failed (declined card); the customer may try again on the same intent. */
export const PaymentFailedV1 = defineEvent('payment.failed.v1', payment.extend({ reason: z.string() }));
/** The purchase was cancelled (unpaid order expired); `paymentIntentId` is null when no intent was ever created. */
export const PaymentCanceledV1 = defineEvent('payment.canceled.v1', payment.extend({ paymentIntentId: z.string().nullable() }));
/** Money went back to the card. */
export const PaymentRefundedV1 = defineEvent('payment.refunded.v1', payment.extend({ refundId: z.string() }));
/** The amount or currency paid differs from the order's: never provision, refund and investigate. */
export const PaymentMismatchedV1 = defineEvent('payment.mismatched.v1', payment.extend({ received: MoneySchema }));
