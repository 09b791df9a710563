import { z } from 'zod';
import { BundleSchema } from '../common';
import { defineRpc } from '../define';

/** Gateway -> esim-provisioning: one bundle by its eSIM Go name (case-sensitive). Unknown: BUNDLE_NOT_FOUND (404). */
export const GetBundleV1 = defineRpc(
  'esim.get-bundle.v1',
  z.object({
    name: z.string().min(1).max(200),
    /** A vendor's markup on eSIM Go's cost; absent = the retail (B2C) markup. */
    markupBps: z.number().int().min(0).max(100_000).optional(),
  }),
  z.object({ bundle: BundleSchema }),
);
