import { z } from 'zod';
import { OwnerSchema } from '../common';
import { defineCommand, defineEvent } from '../define';

/** What happened at eSIM Go when the bundles of a refunded order were taken back. */
export const ProviderRevocationSchema = z.enum(['REVOKED', 'ALREADY_USED', 'FAILED']);
export type ProviderRevocation = z.infer<typeof ProviderRevocationSchema>;

/**
 * order -> esim-provisioning, the first step of an admin refund of a COMPLETED order: take the order's bundles
 * back from eSIM Go (revoked, refunded to our balance while unused). A used bundle is revoked only when `force` is
 * set (the refund goes ahead anyway); without it nothing is revoked. Idempotent per order: a repeated command
 * never revokes twice and answers the stored outcome once the bundles are revoked.
 */
export const RevokeBundlesV1 = defineCommand(
  'esim.revoke-bundles.v1',
  z.object({
    orderId: z.uuid(),
    owner: OwnerSchema,
    force: z.boolean(),
  }),
);

/**
 * esim-provisioning -> order: the answer to esim.revoke-bundles.v1. `outcome` REVOKED (every bundle of the order is
 * revoked; `refundedToBalance` when eSIM Go credited our balance), ALREADY_USED (a bundle was used: revoked only when
 * `forced`, else nothing was revoked), FAILED (eSIM Go could not be asked or refused; `detail` says why).
 */
export const EsimBundlesRevokedV1 = defineEvent(
  'esim.bundles-revoked.v1',
  z.object({
    orderId: z.uuid(),
    outcome: ProviderRevocationSchema,
    forced: z.boolean(),
    bundles: z.array(
      z.object({
        iccid: z.string().min(1).max(30),
        bundleName: z.string().min(1).max(200),
        /** REVOKED now or before, USED (used at eSIM Go; revoked only when forced), KEPT (unused, left alone: the refund is not made), FAILED. */
        result: z.enum(['REVOKED', 'USED', 'KEPT', 'FAILED']),
        refundedToBalance: z.boolean(),
      }),
    ),
    detail: z.string().max(500).nullable(),
    decidedAt: z.iso.datetime({ offset: true }),
  }),
);
