import { z } from 'zod';
import { OwnerSchema } from '../common';
import { defineEvent } from '../define';

/** What a bundle notice is about: a usage threshold crossed, the end within 24 hours, the end passed. */
export const BundleNoticeKindSchema = z.enum(['USAGE_THRESHOLD', 'EXPIRING', 'EXPIRED']);
export type BundleNoticeKind = z.infer<typeof BundleNoticeKindSchema>;

/**
 * esim-provisioning -> notification: tell the eSIM's owner about one of its bundles. Published at most once per
 * (bundle assignment, notice): a usage threshold (`threshold` percent of the data used), "expires within 24
 * hours", "expired". Each bundle on an eSIM (its own and every top-up) is its own assignment with its own notices.
 * Quantities are integer bytes, null while eSIM Go has not reported them; `usedBytes` = total - remaining.
 */
export const EsimBundleNoticeV1 = defineEvent(
  'esim.bundle-notice.v1',
  z.object({
    iccid: z.string().min(1).max(30),
    owner: OwnerSchema,
    /** The order that bought this bundle (the eSIM's own order, or the top-up's). */
    orderId: z.uuid(),
    bundleId: z.uuid(),
    bundleName: z.string().min(1).max(200),
    notice: BundleNoticeKindSchema,
    /** USAGE_THRESHOLD: the percentage crossed (e.g. 80, 100); null otherwise. */
    threshold: z.number().int().min(1).max(100).nullable(),
    usedBytes: z.number().int().min(0).nullable(),
    totalBytes: z.number().int().min(0).nullable(),
    remainingBytes: z.number().int().min(0).nullable(),
    unlimited: z.boolean(),
    /** The bundle's end, as eSIM Go reported it (or our estimate), when known. */
    endsAt: z.iso.datetime({ offset: true }).nullable(),
    occurredAt: z.iso.datetime({ offset: true }),
  }),
);
