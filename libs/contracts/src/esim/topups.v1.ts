import { z } from 'zod';
import { BundleSchema, OwnerSchema } from '../common';
import { defineCommand, defineRpc } from '../define';

/**
 * order -> esim-provisioning, before any money is taken: may this bundle top up this eSIM of this owner, and at
 * what price? Answers the bundle priced like esim.get-bundle.v1 (retail, or at `markupBps`). Errors:
 * ESIM_NOT_FOUND (404: no such eSIM, or another owner's: indistinguishable), BUNDLE_NOT_FOUND (404: unknown or no
 * longer sold), BUNDLE_NOT_COMPATIBLE (422: eSIM Go says the bundle cannot be applied to that eSIM),
 * PROVIDER_UNAVAILABLE (503: eSIM Go could not be asked; retry), CATALOGUE_UNAVAILABLE (503).
 */
export const QuoteTopupV1 = defineRpc(
  'esim.quote-topup.v1',
  z.object({
    owner: OwnerSchema,
    iccid: z.string().min(1).max(30),
    bundleName: z.string().min(1).max(200),
    markupBps: z.number().int().min(0).max(100_000).optional(),
  }),
  z.object({ bundle: BundleSchema }),
);

/**
 * order -> esim-provisioning: apply one bundle to an existing eSIM of the order's owner (a top-up), never twice
 * for one order. Answered like esim.provision.v1: esim.provisioned.v1 with that eSIM's install data (unchanged:
 * no new eSIM, no new QR code), or esim.provisioning-failed.v1 when eSIM Go refuses for good.
 */
export const ApplyBundleV1 = defineCommand(
  'esim.apply-bundle.v1',
  z.object({
    orderId: z.uuid(),
    owner: OwnerSchema,
    iccid: z.string().min(1).max(30),
    bundleName: z.string().min(1).max(200),
  }),
);
