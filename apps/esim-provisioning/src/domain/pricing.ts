/**
 * Retail pricing (docs/architecture.md#money): retail = cost + markup, where
 *
 *   markup = roundHalfUp(cost * markupBps / 10 000)
 *
 * computed on integers only. `markupBps` is the markup in basis points (30 % = 3000, 27.5 % = 2750), so the
 * only division is the final one, and its remainder is rounded half-up: a markup of exactly half a minor unit
 * goes up (cost 5 at 10 % = 0.5 -> 1), anything below half goes down (cost 4 at 10 % = 0.4 -> 0). Costs are
 * never negative, so half-up and half-away-from-zero agree. The result stays in the cost's currency.
 */
import type { Money } from './catalogue-bundle';
import { parseScaledDecimal } from './money';

export const BPS_PER_UNIT = 10_000;

export class PricingError extends Error {
  override readonly name = 'PricingError';
}

/** "30" -> 3000, "27.5" -> 2750, "0.01" -> 1; more than two decimals is refused, not rounded. */
export function markupPercentToBps(percent: number | string): number {
  let bps: number;
  try {
    bps = parseScaledDecimal(percent, 2);
  } catch (err) {
    throw new PricingError(`invalid markup percent ${JSON.stringify(percent)}: ${(err as Error).message}`);
  }
  if (bps < 0) throw new PricingError(`markup percent must not be negative, got ${String(percent)}`);
  return bps;
}

/** roundHalfUp(amount * bps / 10 000) for non-negative integers. */
export function markupAmount(amount: number, markupBps: number): number {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new PricingError(`cost must be a non-negative integer, got ${amount}`);
  if (!Number.isSafeInteger(markupBps) || markupBps < 0) throw new PricingError(`markup must be non-negative basis points, got ${markupBps}`);
  const product = amount * markupBps;
  if (Number.isSafeInteger(product)) {
    // Integer-exact below 2^53 (the remainder and the exact division never round): the hot path, every listed
    // bundle, needs no BigInt.
    const rest = product % BPS_PER_UNIT;
    const whole = (product - rest) / BPS_PER_UNIT;
    return rest * 2 >= BPS_PER_UNIT ? whole + 1 : whole;
  }
  const big = (BigInt(amount) * BigInt(markupBps) + BigInt(BPS_PER_UNIT / 2)) / BigInt(BPS_PER_UNIT);
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new PricingError(`markup of ${amount} overflows`);
  return Number(big);
}

export function retailPrice(cost: Money, markupBps: number): Money {
  const amount = cost.amount + markupAmount(cost.amount, markupBps);
  if (!Number.isSafeInteger(amount)) throw new PricingError(`retail price of ${cost.amount} ${cost.currency} overflows`);
  return { amount, currency: cost.currency };
}
