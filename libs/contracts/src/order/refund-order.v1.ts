import { z } from 'zod';
import { defineRpc } from '../define';
import { OrderViewSchema } from './order-view';

/**
 * Gateway (admin) -> order: refund a COMPLETED order in full. The order asks payment (card orders) or
 * vendor-billing (vendor orders) and becomes REFUNDED when that is confirmed; the reply is the order as it is
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
  }),
  OrderViewSchema,
);
