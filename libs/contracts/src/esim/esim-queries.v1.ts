import { z } from 'zod';
import { EsimInstallSchema, OwnerSchema, pageOf } from '../common';
import { defineRpc } from '../define';

export const EsimViewSchema = EsimInstallSchema.extend({
  orderId: z.uuid(),
  bundleName: z.string(),
  status: z.string(),
  usage: z.object({
    initialBytes: z.number().int().min(0).nullable(),
    remainingBytes: z.number().int().min(0).nullable(),
    state: z.string(),
  }),
});
export type EsimView = z.infer<typeof EsimViewSchema>;

/** Gateway -> esim-provisioning: one eSIM of an owner; another owner's is ESIM_NOT_FOUND (404). */
export const GetEsimV1 = defineRpc('esim.get-esim.v1', z.object({ owner: OwnerSchema, iccid: z.string().min(1).max(30) }), EsimViewSchema);

/** Gateway -> esim-provisioning: an owner's eSIMs, newest first. */
export const ListEsimsV1 = defineRpc(
  'esim.list-esims.v1',
  z.object({ owner: OwnerSchema, limit: z.number().int().min(1).max(100), cursor: z.string().min(1).max(512).optional() }),
  pageOf(EsimViewSchema),
);

/** Gateway -> esim-provisioning: the QR code (PNG, base64) of an owner's eSIM. */
export const GetEsimQrCodeV1 = defineRpc(
  'esim.get-esim-qr-code.v1',
  z.object({ owner: OwnerSchema, iccid: z.string().min(1).max(30) }),
  z.object({ pngBase64: z.string().min(1) }),
);
