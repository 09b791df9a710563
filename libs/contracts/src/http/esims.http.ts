import { z } from 'zod';
import { pageOf } from '../common';
import { PageQuerySchema } from './orders.http';

/** The state of a bundle on an eSIM, and of the eSIM (from its bundles: ACTIVE, else QUEUED, DEPLETED, EXPIRED, REVOKED). */
export const EsimStateSchema = z.enum(['QUEUED', 'ACTIVE', 'DEPLETED', 'EXPIRED', 'REVOKED']);
export type EsimState = z.infer<typeof EsimStateSchema>;

/** One bundle on an eSIM: the one it was bought with (NEW) or a top-up (TOPUP). Bytes: 1 GB = 10^9 bytes. */
export const EsimBundleResponseSchema = z.object({
  /** The order that bought it. */
  orderId: z.uuid(),
  kind: z.enum(['NEW', 'TOPUP']),
  bundleName: z.string(),
  /** QUEUED (not used yet), ACTIVE (in use), DEPLETED (no data left), EXPIRED (its time is over), REVOKED (refunded). */
  state: EsimStateSchema,
  initialBytes: z.number().int().nullable(),
  /** The data remaining (the whole bundle until it is used; null for unlimited bundles). */
  remainingBytes: z.number().int().nullable(),
  unlimited: z.boolean(),
  assignedAt: z.iso.datetime({ offset: true }),
  /** Its first use (a bundle's validity starts then). */
  startsAt: z.iso.datetime({ offset: true }).nullable(),
  /** Its end date: estimated from its validity until the bundle starts, then as eSIM Go reports it. */
  endsAt: z.iso.datetime({ offset: true }).nullable(),
});
export type EsimBundleResponse = z.infer<typeof EsimBundleResponseSchema>;

/** An installed eSIM as its owner sees it (`GET /api/v1/esims/{iccid}`). */
export const EsimResponseSchema = z.object({
  iccid: z.string(),
  /** The order that bought the eSIM (top-ups are in `bundles`). */
  orderId: z.uuid(),
  /** The bundle the eSIM was bought with. */
  bundleName: z.string(),
  /** The eSIM's state from its bundles: ACTIVE if one is in use, else QUEUED, DEPLETED, EXPIRED, REVOKED. */
  status: EsimStateSchema,
  smdpAddress: z.string(),
  matchingId: z.string(),
  /** `LPA:1$<smdp>$<matchingId>`: what the QR code encodes, for manual entry. */
  lpa: z.string(),
  /** Opens the eSIM install sheet on iOS 17.4+. */
  appleInstallUrl: z.string(),
  /** The current bundle's usage (the active one, else the next queued), as eSIM Go last reported it; UNKNOWN before. */
  usage: z.object({
    initialBytes: z.number().int().nullable(),
    remainingBytes: z.number().int().nullable(),
    state: z.string(),
  }),
  /** The latest end among its bundles. */
  expiresAt: z.iso.datetime({ offset: true }).nullable(),
  /** When the eSIM first attached to a network (or, failing that, first used data); null until then. */
  activatedAt: z.iso.datetime({ offset: true }).nullable(),
  /** Every bundle on the eSIM, oldest first. */
  bundles: z.array(EsimBundleResponseSchema),
});
export type EsimResponse = z.infer<typeof EsimResponseSchema>;

export const EsimListResponseSchema = pageOf(EsimResponseSchema);
export type EsimListResponse = z.infer<typeof EsimListResponseSchema>;

/** `?limit&cursor&status`: `status` keeps only eSIMs in that state. */
export const ListEsimsQuerySchema = PageQuerySchema.extend({ status: EsimStateSchema.optional() });
export type ListEsimsQuery = z.infer<typeof ListEsimsQuerySchema>;

const bundleName = z.string().min(1).max(200).regex(/^[A-Za-z0-9_.-]+$/, 'invalid bundle name');

/** Body of `POST /api/v1/esims/{iccid}/topups`: one more bundle on that eSIM, priced by the server. */
export const EsimTopupRequestSchema = z.strictObject({ bundleName });
export type EsimTopupRequest = z.infer<typeof EsimTopupRequestSchema>;

/** Body of `POST /api/v1/vendor/esims/{iccid}/topups`. */
export const VendorEsimTopupRequestSchema = z.strictObject({
  bundleName,
  /** The vendor's own reference, stored and returned as given. */
  customerReference: z.string().min(1).max(200).regex(/^[^\u0000-\u001f\u007f]*$/, 'control characters are not allowed').optional(),
});
export type VendorEsimTopupRequest = z.infer<typeof VendorEsimTopupRequestSchema>;

/** ICCIDs are 18-22 digits (ITU-T E.118); anything else is a 400 before any service is asked. */
export const IccidParamsSchema = z.strictObject({ iccid: z.string().regex(/^[0-9]{18,22}$/, 'expected an ICCID of 18-22 digits') });
