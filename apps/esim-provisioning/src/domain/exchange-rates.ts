/**
 * The dated exchange-rate table recommended retail prices are converted with, and the conversion itself, on
 * integers only: a rate such as "0.9234" is kept as millionths (923 400), and
 *
 *   target minor units = roundHalfUp(source minor units * rate millionths * 10^targetDecimals / (10^6 * 10^sourceDecimals))
 *
 * is computed in BigInt, so JPY's 0 decimals or KWD's 3 are exact and no float ever touches money. Half a minor unit
 * goes up, as in pricing.ts.
 */
import type { Money } from './catalogue-bundle';
import { currencyDecimals, parseScaledDecimal } from './money';

export const RATE_DECIMALS = 6;
const RATE_SCALE = 10n ** BigInt(RATE_DECIMALS);

export interface ExchangeRateTable {
  base: string;
  /** YYYY-MM-DD */
  asOf: string;
  source: string;
  /** Target currency -> rate in millionths of a target unit per base unit, in the order configured. */
  rates: ReadonlyArray<{ currency: string; millionths: number }>;
}

export class ExchangeRateError extends Error {
  override readonly name = 'ExchangeRateError';
}

export interface ExchangeRateTableInput {
  base: string;
  asOf: string;
  source: string;
  rates: Record<string, string>;
}

/** Validates a configured table: ISO codes, a real date, positive rates with at most 6 decimals (text, not floats). */
export function parseExchangeRateTable(input: ExchangeRateTableInput): ExchangeRateTable {
  const base = input.base.trim().toUpperCase();
  currencyDecimals(base);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.asOf) || Number.isNaN(Date.parse(`${input.asOf}T00:00:00Z`))) {
    throw new ExchangeRateError(`asOf must be a date YYYY-MM-DD, got ${JSON.stringify(input.asOf)}`);
  }
  const rates = Object.entries(input.rates).map(([code, text]) => {
    const currency = code.trim().toUpperCase();
    try {
      currencyDecimals(currency);
    } catch (err) {
      throw new ExchangeRateError((err as Error).message);
    }
    if (currency === base) throw new ExchangeRateError(`${currency} is the base currency; it needs no rate`);
    if (typeof text !== 'string' || !/^\d+(\.\d+)?$/.test(text.trim())) {
      throw new ExchangeRateError(`the rate of ${currency} must be decimal text like "0.9234", got ${JSON.stringify(text)}`);
    }
    let millionths: number;
    try {
      millionths = parseScaledDecimal(text.trim(), RATE_DECIMALS);
    } catch (err) {
      throw new ExchangeRateError(`the rate of ${currency}: ${(err as Error).message}`);
    }
    if (millionths <= 0) throw new ExchangeRateError(`the rate of ${currency} must be positive`);
    return { currency, millionths };
  });
  if (new Set(rates.map((r) => r.currency)).size !== rates.length) throw new ExchangeRateError('a currency is listed twice');
  return { base, asOf: input.asOf, source: input.source.trim() || 'configuration', rates };
}

/** `amount` of the table's base currency in `currency` (the base itself converts to itself). */
export function convert(money: Money, table: ExchangeRateTable, currency: string): Money {
  if (money.currency !== table.base) throw new ExchangeRateError(`the table converts from ${table.base}, not ${money.currency}`);
  if (currency === table.base) return { ...money };
  const rate = table.rates.find((r) => r.currency === currency);
  if (!rate) throw new ExchangeRateError(`no rate for ${currency}`);
  const numerator = BigInt(money.amount) * BigInt(rate.millionths) * 10n ** BigInt(currencyDecimals(currency));
  const denominator = RATE_SCALE * 10n ** BigInt(currencyDecimals(money.currency));
  const whole = numerator / denominator;
  const rest = numerator % denominator;
  const rounded = rest * 2n >= denominator ? whole + 1n : whole;
  if (rounded > BigInt(Number.MAX_SAFE_INTEGER)) throw new ExchangeRateError(`${money.amount} ${money.currency} overflows in ${currency}`);
  return { amount: Number(rounded), currency };
}

/** The price in the base currency first, then in every currency of the table, in the configured order. */
export function inEveryCurrency(money: Money, table: ExchangeRateTable): Money[] {
  return [{ ...money }, ...table.rates.map((r) => convert(money, table, r.currency))];
}

/** Rates as decimal text again (the public table), e.g. 923400 millionths -> "0.9234". */
export function rateText(millionths: number): string {
  const whole = Math.floor(millionths / 1_000_000);
  const fraction = String(millionths % 1_000_000).padStart(RATE_DECIMALS, '0').replace(/0+$/, '');
  return fraction.length > 0 ? `${whole}.${fraction}` : String(whole);
}
