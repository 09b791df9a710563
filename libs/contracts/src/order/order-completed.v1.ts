import { z } from 'zod';
import { EsimInstallSchema, MoneySchema, OwnerSchema } from '../common';
import { defineEvent } from '../define';

/** The order is COMPLETED: its eSIMs are provisioned. Notification e-mails the buyer the install data. */
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
  }),
);
