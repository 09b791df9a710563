import { z } from 'zod';
import { CurrencySchema } from '../common';
import { defineRpc } from '../define';

/**
 * The dated exchange-rate table the platform converts recommended retail prices with. A rate is decimal text (at
 * most 6 decimals, never a float): 1 unit of `base` is worth `rate` units of `currency`.
 */
export const ExchangeRatesSchema = z.object({
  base: CurrencySchema,
  /** The day the rates were taken (YYYY-MM-DD). */
  asOf: z.iso.date(),
  /** Where the rates come from. */
  source: z.string().min(1).max(200),
  rates: z.array(z.object({ currency: CurrencySchema, rate: z.string().regex(/^\d+(\.\d{1,6})?$/) })),
});
export type ExchangeRates = z.infer<typeof ExchangeRatesSchema>;

/** Gateway -> esim-provisioning: the configured exchange-rate table. */
export const GetExchangeRatesV1 = defineRpc('esim.get-exchange-rates.v1', z.object({}), ExchangeRatesSchema);
