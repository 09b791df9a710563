import { z } from 'zod';
import { OwnerSchema } from '../common';
import { defineCommand } from '../define';

/** order -> esim-provisioning: buy `quantity` eSIMs of a bundle for an order (never twice for one order). */
export const ProvisionEsimV1 = defineCommand(
  'esim.provision.v1',
  z.object({
    orderId: z.uuid(),
    owner: OwnerSchema,
    bundleName: z.string().min(1).max(200),
    quantity: z.number().int().min(1).max(50),
  }),
);
