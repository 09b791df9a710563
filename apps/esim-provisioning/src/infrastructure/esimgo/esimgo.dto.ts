/**
 * eSIM Go v2.4 response shapes, read tolerantly (reference/esimgo-stripe.md §1.2): unknown fields are ignored,
 * optional ones may be missing or null, and the two envelopes seen in the wild (a bare array as the spec says,
 * `{ bundles, ...paging }` as the live API answers) are both accepted. These types never leave infrastructure/.
 */
import { z } from 'zod';

export const EsimGoCountryDto = z.object({
  iso: z.string().trim().min(2),
  name: z.string().nullish(),
  region: z.string().nullish(),
});
export type EsimGoCountryDto = z.infer<typeof EsimGoCountryDto>;

export const EsimGoBundleDto = z.object({
  name: z.string().min(1).max(200),
  description: z.string().nullish(),
  groups: z.array(z.string()).nullish(),
  countries: z.array(EsimGoCountryDto).nullish(),
  /** MB; some unlimited bundles carry -1 or nothing. */
  dataAmount: z.number().nullish(),
  /** days */
  duration: z.number().nullish(),
  speed: z.union([z.array(z.string()), z.string()]).nullish(),
  autostart: z.boolean().nullish(),
  unlimited: z.boolean().nullish(),
  /** A list of countries, or a plain flag in older answers. */
  roamingEnabled: z.union([z.array(EsimGoCountryDto), z.boolean()]).nullish(),
  /** Decimal in the organisation's currency; a few clients have seen it as text. */
  price: z.union([z.number(), z.string().regex(/^\s*\d+(\.\d+)?\s*$/)]),
  billingType: z.string().nullish(),
});
export type EsimGoBundleDto = z.infer<typeof EsimGoBundleDto>;

/** Only the envelope is checked here; bundles are parsed one by one so a single odd entry cannot sink a page. */
export const EsimGoCataloguePageDto = z.union([
  z.array(z.unknown()),
  z.object({
    bundles: z.array(z.unknown()).nullish(),
    pageCount: z.number().nullish(),
    rows: z.number().nullish(),
    pageSize: z.number().nullish(),
  }),
]);
export type EsimGoCataloguePageDto = z.infer<typeof EsimGoCataloguePageDto>;

export const EsimGoErrorDto = z.object({ message: z.string() });
