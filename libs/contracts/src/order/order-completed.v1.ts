import { z } from 'zod';
import { EsimInstallSchema, MoneySchema, OwnerSchema } from '../common';
import { defineEvent } from '../define';
import { OrderKindSchema } from './order-view';

/** The order is COMPLETED: its eSIMs are provisioned (TOPUP: the bundle is on the eSIM). Notification tells the buyer. */
export const OrderCompletedV1 = defineEvent(
  'order.completed.v1',
  z.object({
    orderId: z.uuid(),
    owner: OwnerSchema,
    contactEmail: z.email().nullable(),
    bundleName: z.string(),
    quantity: z.number().int().min(1),
    total: MoneySchema,
    esims: z.array(EsimInstallSchema).min(1),
    completedAt: z.iso.datetime({ offset: true }),
    /** The reseller's own reference for the order (B2B), echoed in its webhooks. */
    customerReference: z.string().max(200).nullable().optional(),
    /** NEW (absent: NEW) or TOPUP: a bundle applied to the eSIM `iccid` the buyer already has. */
    kind: OrderKindSchema.optional(),
    iccid: z.string().nullable().optional(),
  }),
);
