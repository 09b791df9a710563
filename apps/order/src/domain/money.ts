/** Integer minor units plus an ISO-4217 currency (docs/architecture.md#money). */
export interface Money {
  amount: number;
  currency: string;
}

export class MoneyError extends Error {
  override readonly name = 'MoneyError';
}

function assertMoney(m: Money, what: string): void {
  if (!Number.isSafeInteger(m.amount) || m.amount < 0) throw new MoneyError(`${what} must be a non-negative integer of minor units, got ${m.amount}`);
  if (!/^[A-Z]{3}$/.test(m.currency)) throw new MoneyError(`${what} has no ISO-4217 currency: ${JSON.stringify(m.currency)}`);
}

/**
 * An order's total: unit price × quantity, exact in minor units. The product is computed in BigInt so a total
 * beyond 2^53 - 1 is refused instead of silently losing cents.
 */
export function orderTotal(unitPrice: Money, quantity: number): Money {
  assertMoney(unitPrice, 'unit price');
  if (!Number.isInteger(quantity) || quantity < 1) throw new MoneyError(`quantity must be a positive integer, got ${quantity}`);
  const total = BigInt(unitPrice.amount) * BigInt(quantity);
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) throw new MoneyError(`total ${total} minor units exceeds the largest safe amount`);
  return { amount: Number(total), currency: unitPrice.currency };
}

/** Same amount in the same currency: a paid 1299 EUR is not a paid 1299 USD. */
export function sameMoney(a: Money, b: Money): boolean {
  return a.amount === b.amount && a.currency === b.currency;
}

export function formatMoney(m: Money): string {
  return `${m.amount} ${m.currency}`;
}
