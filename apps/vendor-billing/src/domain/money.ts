import { BillingError } from './billing.errors';

/**
 * Money is BIGINT minor units in the database; in TypeScript it is a number, which is exact only up to
 * Number.MAX_SAFE_INTEGER. Every conversion goes through here, so an amount we cannot represent exactly is an
 * error, never a silently rounded figure.
 */
export function toSafeAmount(value: bigint | number | string): number {
  const n = typeof value === 'bigint' ? value : BigInt(value);
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new BillingError('AMOUNT_OUT_OF_RANGE', 500, `amount ${n} is outside the safe integer range`);
  }
  return Number(n);
}

export function assertPositiveAmount(amount: number, what = 'amount'): void {
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new BillingError('AMOUNT_OUT_OF_RANGE', 400, `${what} must be a positive integer of minor units, got ${amount}`);
  }
}

let isoCurrencies: ReadonlySet<string> | undefined;

/** ISO-4217 codes as the runtime's ICU knows them (the contract only checks the shape `[A-Z]{3}`). */
export function isIsoCurrency(code: string): boolean {
  isoCurrencies ??= new Set(Intl.supportedValuesOf('currency'));
  return /^[A-Z]{3}$/.test(code) && isoCurrencies.has(code);
}
