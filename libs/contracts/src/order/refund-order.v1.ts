import { z } from 'zod';
import { OwnerSchema } from '../common';
import { defineRpc } from '../define';
import { OrderViewSchema } from './order-view';

/**
 * Gateway (admin) -> order: refund a COMPLETED order in full. The order first has its bundles revoked at eSIM Go
 * (esim.revoke-bundles.v1; `revocation` shows the outcome; a used bundle stops the refund unless `force`), then asks
 * payment (card orders) or vendor-billing (vendor orders) and becomes REFUNDED when that is confirmed; the reply is the order as it is
 * now (`refund.status` PENDING until then). Idempotent per order: a second request returns the same refund.
 * ORDER_NOT_FOUND (404); ORDER_NOT_REFUNDABLE (409) for an order that was never charged or is not finished.
 */
export const RefundOrderV1 = defineRpc(
  'order.refund-order.v1',
  z.object({
    orderId: z.uuid(),
    reason: z.string().min(1).max(500),
    /** Who asked, for the order's history and the refund record (`admin:<userId>`). */
    requestedBy: z.string().min(1).max(200),
    /** Refund even when a bundle of the order was already used (it is revoked at eSIM Go without a credit). */
    force: z.boolean().optional(),
  }),
  OrderViewSchema,
);

/**
 * Gateway (reseller) -> order: cancel an unused COMPLETED vendor order of the owner. Its bundles are revoked at eSIM
 * Go (refunded to our balance while unused), then its charge is credited back and the order becomes CANCELLED. The
 * reply is the order as it is now (`revocation.status` PENDING until eSIM Go answered). Idempotent per order.
 * ORDER_NOT_FOUND (404, also another owner's order); NOT_CANCELLABLE (409) with the reason: not a completed vendor
 * order, outside eSIM Go's refund window, or a bundle already used or expired.
 */
export const CancelOrderV1 = defineRpc(
  'order.cancel-order.v1',
  z.object({ owner: OwnerSchema, orderId: z.uuid() }),
  OrderViewSchema,
);
