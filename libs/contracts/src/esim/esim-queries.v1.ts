import { z } from 'zod';
import { EsimInstallSchema, OwnerSchema, pageOf } from '../common';
import { defineRpc } from '../define';

/** The public state of one bundle on an eSIM (eSIM Go's Processing/Queued -> QUEUED, Lapsed -> EXPIRED). */
export const EsimBundleStateSchema = z.enum(['QUEUED', 'ACTIVE', 'DEPLETED', 'EXPIRED', 'REVOKED']);
export type EsimBundleState = z.infer<typeof EsimBundleStateSchema>;

/** One bundle applied to an eSIM: the one it was bought with (NEW), or a top-up (TOPUP). */
export const EsimBundleViewSchema = z.object({
  /** The order that bought it. */
  orderId: z.uuid(),
  kind: z.enum(['NEW', 'TOPUP']),
  bundleName: z.string(),
  state: EsimBundleStateSchema,
  /** Null until eSIM Go reported the bundle's figures. */
  initialBytes: z.number().int().min(0).nullable(),
  remainingBytes: z.number().int().min(0).nullable(),
  unlimited: z.boolean(),
  assignedAt: z.iso.datetime({ offset: true }),
  /** When it started (its first use), once eSIM Go says. */
  startsAt: z.iso.datetime({ offset: true }).nullable(),
  /** Its end: estimated from the catalogue's duration until eSIM Go reports it (it starts at first use). */
  endsAt: z.iso.datetime({ offset: true }).nullable(),
});
export type EsimBundleView = z.infer<typeof EsimBundleViewSchema>;

export const EsimViewSchema = EsimInstallSchema.extend({
  orderId: z.uuid(),
  bundleName: z.string(),
  /** The eSIM's state from its bundles (ACTIVE, else QUEUED, DEPLETED, EXPIRED, REVOKED). */
  status: z.string(),
  /** The usage of the current bundle (the active one, else the next queued, else the last), in eSIM Go's state names. */
  usage: z.object({
    initialBytes: z.number().int().min(0).nullable(),
    remainingBytes: z.number().int().min(0).nullable(),
    state: z.string(),
  }),
  /** First network attach (eSIM Go's FirstAttachment callback) or, failing that, the first data use seen. */
  activatedAt: z.iso.datetime({ offset: true }).nullable().optional(),
  /** Every bundle applied to the eSIM, oldest first. */
  bundles: z.array(EsimBundleViewSchema).optional(),
});
export type EsimView = z.infer<typeof EsimViewSchema>;

/** Gateway -> esim-provisioning: one eSIM of an owner; another owner's is ESIM_NOT_FOUND (404). */
export const GetEsimV1 = defineRpc('esim.get-esim.v1', z.object({ owner: OwnerSchema, iccid: z.string().min(1).max(30) }), EsimViewSchema);

/** Gateway -> esim-provisioning: an owner's eSIMs, newest first. */
export const ListEsimsV1 = defineRpc(
  'esim.list-esims.v1',
  z.object({
    owner: OwnerSchema,
    limit: z.number().int().min(1).max(100),
    cursor: z.string().min(1).max(512).optional(),
    /** Only eSIMs in this state (see EsimViewSchema.status). */
    status: EsimBundleStateSchema.optional(),
  }),
  pageOf(EsimViewSchema),
);

/** Gateway -> esim-provisioning: the QR code (PNG, base64) of an owner's eSIM. */
export const GetEsimQrCodeV1 = defineRpc(
  'esim.get-esim-qr-code.v1',
  z.object({ owner: OwnerSchema, iccid: z.string().min(1).max(30) }),
  z.object({ pngBase64: z.string().min(1) }),
);
