import { z } from 'zod';
import { MoneySchema, OrderStatusSchema, OwnerSchema } from '../common';

/** An order as the order service shows it to the gateway (RPC replies and events share it). */
export const OrderViewSchema = z.object({
  id: z.uuid(),
  owner: OwnerSchema,
  status: OrderStatusSchema,
  bundleName: z.string().min(1),
  quantity: z.number().int().min(1),
  unitPrice: MoneySchema,
  total: MoneySchema,
  customerReference: z.string().max(200).nullable(),
  esims: z.array(z.object({ iccid: z.string() })),
  failureReason: z.string().nullable(),
  payment: z
    .object({
      paymentIntentId: z.string(),
      clientSecret: z.string(),
      publishableKey: z.string(),
    })
    .nullable(),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type OrderView = z.infer<typeof OrderViewSchema>;
