import { z } from 'zod';
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
