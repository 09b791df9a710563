/**
 * A quote: a basket priced at the buyer's terms, fixed at creation and valid for a while (10 minutes by default).
 * Pure: the caller brings the unit prices (from the catalogue, at the vendor's markup) and the clock.
 */
import { MoneyError, orderTotal, type Money } from './money';
import type { Owner } from './order';

export const MAX_ESIMS_PER_BASKET = 50;

export interface BasketItem {
  bundleName: string;
  quantity: number;
}

export interface QuoteItem extends BasketItem {
  unitPrice: Money;
  total: Money;
}

export interface Quote {
  id: string;
  owner: Owner;
  items: QuoteItem[];
  total: Money;
  createdAt: Date;
  expiresAt: Date;
}

/** Every line priced, the lines summed in one currency; more than 50 eSIMs or a mixed currency is refused. */
export function priceBasket(items: ReadonlyArray<BasketItem & { unitPrice: Money }>): { items: QuoteItem[]; total: Money } {
  if (items.length === 0) throw new MoneyError('a basket has at least one item');
  const esims = items.reduce((sum, i) => sum + i.quantity, 0);
  if (esims > MAX_ESIMS_PER_BASKET) throw new MoneyError(`at most ${MAX_ESIMS_PER_BASKET} eSIMs in one basket, got ${esims}`);
  const currency = items[0]!.unitPrice.currency;
  let total = 0n;
  const priced = items.map((item) => {
    if (item.unitPrice.currency !== currency) throw new MoneyError(`prices in ${currency} and ${item.unitPrice.currency} cannot be added up`);
    const line = orderTotal(item.unitPrice, item.quantity);
    total += BigInt(line.amount);
    return { bundleName: item.bundleName, quantity: item.quantity, unitPrice: item.unitPrice, total: line };
  });
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) throw new MoneyError(`total ${total} minor units exceeds the largest safe amount`);
  return { items: priced, total: { amount: Number(total), currency } };
}

export function newQuote(input: { id: string; owner: Owner; items: ReadonlyArray<BasketItem & { unitPrice: Money }>; now: Date; validityMs: number }): Quote {
  const { items, total } = priceBasket(input.items);
  return { id: input.id, owner: input.owner, items, total, createdAt: input.now, expiresAt: new Date(input.now.getTime() + input.validityMs) };
}

export function isQuoteValid(quote: Pick<Quote, 'expiresAt'>, now: Date): boolean {
  return now.getTime() < quote.expiresAt.getTime();
}
