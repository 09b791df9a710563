import { z } from 'zod';
import { pageOf } from '../common';
import { PageQuerySchema } from './orders.http';

/** An installed eSIM as its owner sees it (`GET /api/v1/esims/{iccid}`). */
export const EsimResponseSchema = z.object({
  iccid: z.string(),
  orderId: z.uuid(),
  bundleName: z.string(),
  status: z.string(),
  smdpAddress: z.string(),
  matchingId: z.string(),
  /** `LPA:1$<smdp>$<matchingId>`: what the QR code encodes, for manual entry. */
  lpa: z.string(),
  /** Opens the eSIM install sheet on iOS 17.4+. */
  appleInstallUrl: z.string(),
  usage: z.object({
    initialBytes: z.number().int().nullable(),
    remainingBytes: z.number().int().nullable(),
    state: z.string(),
  }),
  expiresAt: z.iso.datetime({ offset: true }).nullable(),
});
export type EsimResponse = z.infer<typeof EsimResponseSchema>;

export const EsimListResponseSchema = pageOf(EsimResponseSchema);
export type EsimListResponse = z.infer<typeof EsimListResponseSchema>;

export const ListEsimsQuerySchema = PageQuerySchema;

/** ICCIDs are 18-22 digits (ITU-T E.118); anything else is a 400 before any service is asked. */
export const IccidParamsSchema = z.strictObject({ iccid: z.string().regex(/^[0-9]{18,22}$/, 'expected an ICCID of 18-22 digits') });
