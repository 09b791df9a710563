import { z } from 'zod';
import { OwnerSchema, pageOf } from '../common';
import { defineRpc } from '../define';
import { OrderViewSchema } from './order-view';

/** Gateway -> order: an owner's orders, newest first, cursor pages. `owner` absent = all orders (admin). */
export const ListOrdersV1 = defineRpc(
  'order.list-orders.v1',
  z.object({
    owner: OwnerSchema.optional(),
    limit: z.number().int().min(1).max(100),
    cursor: z.string().min(1).max(512).optional(),
  }),
  pageOf(OrderViewSchema),
);
