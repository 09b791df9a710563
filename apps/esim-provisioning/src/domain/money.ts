/**
 * Decimal amounts to integer minor units without floating-point multiplication: the decimal text is shifted
 * by string arithmetic, so 0.1 + 0.2 style errors can never turn 19.99 into 1998. Everything stays exact in
 * BigInt until the final, range-checked conversion to a number.
 */

/** ISO-4217 minor-unit exponents that differ from the common 2. */
const ZERO_DECIMALS = new Set([
  'BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF',
]);
const THREE_DECIMALS = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);
const FOUR_DECIMALS = new Set(['CLF', 'UYW']);

export class MoneyFormatError extends Error {
  override readonly name = 'MoneyFormatError';
}

export function currencyDecimals(currency: string): number {
  if (!/^[A-Z]{3}$/.test(currency)) throw new MoneyFormatError(`not an ISO-4217 currency code: ${JSON.stringify(currency)}`);
  if (ZERO_DECIMALS.has(currency)) return 0;
  if (THREE_DECIMALS.has(currency)) return 3;
  if (FOUR_DECIMALS.has(currency)) return 4;
  return 2;
}

/**
 * A finite number's shortest round-trip text (what `String(n)` gives: 19.99 -> "19.99", 0.1 + 0.2 ->
 * "0.30000000000000004") is the decimal the provider meant; JSON numbers are parsed that way too.
 */
function decimalText(value: number | string): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MoneyFormatError(`not a finite amount: ${value}`);
    return String(value);
  }
  return value.trim();
}

interface Decimal {
  negative: boolean;
  /** digits of the integer part followed by the fraction, no point */
  digits: string;
  /** number of digits of `digits` after the decimal point (may be negative after a large exponent) */
  scale: number;
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

function parseDecimal(text: string): Decimal {
  const m = DECIMAL.exec(text);
  if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) throw new MoneyFormatError(`not a decimal amount: ${JSON.stringify(text)}`);
  const intPart = m[2] ?? '';
  const fraction = m[3] ?? '';
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 1000) throw new MoneyFormatError(`exponent out of range: ${text}`);
  return { negative: m[1] === '-', digits: `${intPart}${fraction}` || '0', scale: fraction.length - exponent };
}

/**
 * `value` scaled by 10^decimals and rounded half-up (half away from zero for negative amounts, so that
 * -x rounds to exactly -(x rounded)), as an exact BigInt.
 */
function scaleHalfUp(d: Decimal, decimals: number): bigint {
  const shift = decimals - d.scale;
  let magnitude: bigint;
  if (shift >= 0) {
    magnitude = BigInt(d.digits) * 10n ** BigInt(shift);
  } else {
    // Too many decimals for the currency: keep the wanted digits, then look at what was cut off.
    const divisor = 10n ** BigInt(-shift);
    const all = BigInt(d.digits);
    magnitude = all / divisor;
    const rest = all % divisor;
    if (rest * 2n >= divisor) magnitude += 1n;
  }
  return d.negative ? -magnitude : magnitude;
}

/** Parses a decimal amount (number or text, e.g. 19.99, "19.995", "1e3") into integer minor units of `currency`. */
export function toMinorUnits(value: number | string, currency: string): number {
  const decimals = currencyDecimals(currency);
  const scaled = scaleHalfUp(parseDecimal(decimalText(value)), decimals);
  if (scaled > BigInt(Number.MAX_SAFE_INTEGER) || scaled < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new MoneyFormatError(`amount ${String(value)} ${currency} is too large for minor units`);
  }
  // Avoid -0: an amount like -0.001 USD rounds to 0, which is simply zero.
  return scaled === 0n ? 0 : Number(scaled);
}

/**
 * Parses a decimal with at most `maxDecimals` digits after the point into an integer scaled by 10^maxDecimals,
 * refusing (not rounding) anything finer: used for configuration such as a markup of 27.5 % = 2750 bps, where a
 * silently rounded value would be a surprise.
 */
export function parseScaledDecimal(value: number | string, maxDecimals: number): number {
  const d = parseDecimal(decimalText(value));
  const significantScale = d.digits.replace(/0+$/, '').length - (d.digits.length - d.scale);
  if (significantScale > maxDecimals) throw new MoneyFormatError(`${String(value)} has more than ${maxDecimals} decimals`);
  const scaled = scaleHalfUp(d, maxDecimals);
  if (scaled > BigInt(Number.MAX_SAFE_INTEGER) || scaled < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new MoneyFormatError(`${String(value)} is out of range`);
  }
  return scaled === 0n ? 0 : Number(scaled);
}
