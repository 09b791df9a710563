import { z } from 'zod';
import { BundleSchema, pageOf } from '../common';
import { ExchangeRatesSchema } from '../esim/exchange-rates.v1';

/**
 * The regions a catalogue filter may name (eSIM Go's region names); a filter is matched case-insensitively and
 * passed on in this spelling.
 */
export const CATALOGUE_REGIONS = [
  'Africa',
  'Americas',
  'Asia',
  'Caribbean',
  'Central America',
  'Europe',
  'Global',
  'Middle East',
  'North America',
  'Oceania',
  'South America',
] as const;

const regionNames = new Map(CATALOGUE_REGIONS.map((r) => [r.toLowerCase(), r]));
// Intl knows the assigned ISO 3166-1 alpha-2 codes: it names them, and answers an unassigned one with itself
// (or "Unknown Region" for ZZ).
const countryNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
function isAssignedCountry(code: string): boolean {
  try {
    const name = countryNames.of(code);
    return name !== undefined && name !== code && name !== 'Unknown Region';
  } catch {
    return false;
  }
}

/**
 * Query of `GET /api/v1/bundles`. Filters are checked against the known values (assigned ISO country codes, the
 * region names) here, so an unknown one is a 400 that costs nothing downstream: every distinct query that reached
 * esim-provisioning would cost an RPC and a cache entry. Strict: an unknown filter is a 400, not silently ignored, so a client
 * that misspells `country` learns it at once instead of receiving the whole catalogue.
 */
export const ListBundlesQuerySchema = z.strictObject({
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'expected an ISO 3166-1 alpha-2 country code like FR')
    .transform((v) => v.toUpperCase())
    .refine(isAssignedCountry, 'unknown country code')
    .optional(),
  region: z
    .string()
    .min(1)
    .max(64)
    .transform((v, ctx) => {
      const name = regionNames.get(v.trim().toLowerCase());
      if (name === undefined) {
        ctx.addIssue({ code: 'custom', message: `unknown region; one of ${CATALOGUE_REGIONS.join(', ')}` });
        return z.NEVER;
      }
      return name;
    })
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(512).regex(/^[A-Za-z0-9_-]+$/, 'malformed cursor').optional(),
});
export type ListBundlesQuery = z.infer<typeof ListBundlesQuerySchema>;

export const BundleNameParamsSchema = z.strictObject({
  name: z.string().min(1).max(200).regex(/^[A-Za-z0-9_.-]+$/, 'invalid bundle name'),
});

export const BundleResponseSchema = BundleSchema;
export const BundleListResponseSchema = pageOf(BundleSchema);

/** `GET /api/v1/exchange-rates`: the dated table recommended retail prices are converted with. */
export const ExchangeRatesResponseSchema = ExchangeRatesSchema;
