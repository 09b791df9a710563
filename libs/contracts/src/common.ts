import { z } from 'zod';

/** ISO-4217 alphabetic code, upper case. */
export const CurrencySchema = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO-4217 currency code like USD');

/** Money is integer minor units plus an ISO currency, never a float (docs/architecture.md#money). */
export const MoneySchema = z.object({
  amount: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  currency: CurrencySchema,
});
export type Money = z.infer<typeof MoneySchema>;

/** ISO 3166-1 alpha-2 country code, upper case. */
export const CountryCodeSchema = z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 country code like FR');

/** A mobile network an eSIM attaches to in a country (eSIM Go's country network data). */
export const NetworkSchema = z.object({
  name: z.string().min(1),
  /** The name the phone shows, when it differs from the operator's. */
  brandName: z.string().min(1),
  mcc: z.string().regex(/^\d{3}$/),
  mnc: z.string().regex(/^\d{2,3}$/),
  /** e.g. ["4G", "5G"] */
  speeds: z.array(z.string().min(1)),
});
export type Network = z.infer<typeof NetworkSchema>;

export const CountrySchema = z.object({
  iso: CountryCodeSchema,
  name: z.string().min(1),
  region: z.string(),
  /** The networks a bundle uses in this country; absent where eSIM Go published none. */
  networks: z.array(NetworkSchema).optional(),
});
export type Country = z.infer<typeof CountrySchema>;

/** A bundle as the platform sells it: eSIM Go's shape reduced to what clients need, priced in minor units. */
export const BundleSchema = z.object({
  name: z.string().min(1).max(200),
  description: z.string(),
  countries: z.array(CountrySchema),
  dataMb: z.number().int().min(0),
  durationDays: z.number().int().min(0),
  unlimited: z.boolean(),
  price: MoneySchema,
  /** Whether the bundle can be added to an eSIM the buyer already has (a top-up), not only bought with a new one. */
  topUpCompatible: z.boolean().optional(),
  /**
   * The retail (B2C) price in every currency the platform sells in, converted with the dated exchange-rate table of
   * `GET /api/v1/exchange-rates`; the catalogue's own currency comes first.
   */
  recommendedRetailPrices: z.array(MoneySchema).optional(),
});
export type Bundle = z.infer<typeof BundleSchema>;

/** Cursor pages, as in Stripe's API: `nextCursor` is null on the last page. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}

/** Who owns an order or an eSIM: a traveller (B2C) or a reseller (B2B). Ownership checks compare both fields. */
export const OwnerSchema = z.object({
  type: z.enum(['customer', 'vendor']),
  id: z.string().min(1).max(100),
});
export type Owner = z.infer<typeof OwnerSchema>;

/** Public order statuses (docs/architecture.md#order-statuses). */
export const OrderStatusSchema = z.enum([
  'AWAITING_PAYMENT',
  'PENDING',
  'PROVISIONING',
  'COMPLETED',
  'REJECTED',
  'FAILED',
  'CANCELLED',
  'REFUNDED',
]);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

/** What a buyer needs to install an eSIM. */
export const EsimInstallSchema = z.object({
  iccid: z.string().regex(/^[0-9]{18,22}$/),
  smdpAddress: z.string().min(1),
  matchingId: z.string().min(1),
  /** `LPA:1$<smdp>$<matchingId>`, the content of the QR code. */
  lpa: z.string().startsWith('LPA:1$'),
  appleInstallUrl: z.url(),
  expiresAt: z.iso.datetime({ offset: true }).nullable(),
});
export type EsimInstall = z.infer<typeof EsimInstallSchema>;
