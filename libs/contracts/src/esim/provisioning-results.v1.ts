import { z } from 'zod';
import { EsimInstallSchema } from '../common';
import { defineEvent } from '../define';

/** The eSIMs of an order exist at eSIM Go. */
export const EsimProvisionedV1 = defineEvent(
  'esim.provisioned.v1',
  z.object({
    orderId: z.uuid(),
    providerOrderReference: z.string(),
    esims: z.array(EsimInstallSchema).min(1),
  }),
);

/** eSIM Go refused the purchase for good (after transient errors were retried and unknown outcomes reconciled). */
export const EsimProvisioningFailedV1 = defineEvent(
  'esim.provisioning-failed.v1',
  z.object({
    orderId: z.uuid(),
    code: z.string(),
    reason: z.string(),
  }),
);
