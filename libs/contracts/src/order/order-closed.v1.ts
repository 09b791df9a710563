import { z } from 'zod';
import { MoneySchema, OwnerSchema } from '../common';
import { defineEvent } from '../define';
import { OrderKindSchema } from './order-view';

const closed = z.object({
  orderId: z.uuid(),
  owner: OwnerSchema,
  contactEmail: z.email().nullable(),
  bundleName: z.string(),
  quantity: z.number().int().min(1),
  total: MoneySchema,
  reason: z.string(),
  occurredAt: z.iso.datetime({ offset: true }),
  /** The reseller's own reference for the order (B2B), echoed in its webhooks. */
  customerReference: z.string().max(200).nullable().optional(),
  /** NEW (absent: NEW) or TOPUP: a bundle applied to the eSIM `iccid` the buyer already has. */
  kind: OrderKindSchema.optional(),
  iccid: z.string().nullable().optional(),
});

/** Provisioning failed for good and the card payment was refunded (B2C): the order is REFUNDED. */
export const OrderRefundedV1 = defineEvent('order.refunded.v1', closed);
/** The order ended FAILED (provisioning failed; for B2B the hold is released). */
export const OrderFailedV1 = defineEvent('order.failed.v1', closed);
/** A reseller cancelled an unused order itself: its bundles were revoked at eSIM Go and its charge given back (CANCELLED). */
export const OrderCancelledV1 = defineEvent('order.cancelled.v1', closed);
