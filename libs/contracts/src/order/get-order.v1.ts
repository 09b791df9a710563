import { z } from 'zod';
import { OwnerSchema } from '../common';
import { defineRpc } from '../define';
import { OrderViewSchema } from './order-view';

/** Gateway -> order: one order of an owner; another owner's order is ORDER_NOT_FOUND (404). */
export const GetOrderV1 = defineRpc('order.get-order.v1', z.object({ owner: OwnerSchema, orderId: z.uuid() }), OrderViewSchema);
