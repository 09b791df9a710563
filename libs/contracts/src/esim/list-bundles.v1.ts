import { z } from 'zod';
import { BundleSchema, CountryCodeSchema, pageOf } from '../common';
import { defineRpc } from '../define';

/** Gateway -> esim-provisioning: one page of the catalogue, filtered by country and/or region, priced at the given markup. */
export const ListBundlesV1 = defineRpc(
  'esim.list-bundles.v1',
  z.object({
    country: CountryCodeSchema.optional(),
    region: z.string().min(1).max(64).optional(),
    limit: z.number().int().min(1).max(100),
    cursor: z.string().min(1).max(512).optional(),
    /** A vendor's markup on eSIM Go's cost; absent = the retail (B2C) markup. */
    markupBps: z.number().int().min(0).max(100_000).optional(),
  }),
  pageOf(BundleSchema),
);
