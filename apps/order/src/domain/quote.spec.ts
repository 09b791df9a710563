import { MoneyError } from './money';
import { isQuoteValid, newQuote, priceBasket } from './quote';

const usd = (amount: number) => ({ amount, currency: 'USD' });

describe('quote', () => {
  it('prices every line and sums them exactly in minor units', () => {
    const priced = priceBasket([
      { bundleName: 'a', quantity: 3, unitPrice: usd(499) },
      { bundleName: 'b', quantity: 1, unitPrice: usd(1299) },
    ]);
    expect(priced.items.map((i) => i.total)).toEqual([usd(1497), usd(1299)]);
    expect(priced.total).toEqual(usd(2796));
  });

  it('refuses more than 50 eSIMs, mixed currencies and an empty basket', () => {
    expect(() => priceBasket([{ bundleName: 'a', quantity: 30, unitPrice: usd(1) }, { bundleName: 'b', quantity: 21, unitPrice: usd(1) }])).toThrow(/at most 50/);
    expect(() => priceBasket([{ bundleName: 'a', quantity: 1, unitPrice: usd(1) }, { bundleName: 'b', quantity: 1, unitPrice: { amount: 1, currency: 'EUR' } }])).toThrow(MoneyError);
    expect(() => priceBasket([])).toThrow(MoneyError);
  });

  it('is valid until its expiry, not at it', () => {
    const now = new Date('2026-12-08T10:00:00.000Z');
    const quote = newQuote({ id: 'q', owner: { type: 'vendor', id: 'v' }, items: [{ bundleName: 'a', quantity: 1, unitPrice: usd(5) }], now, validityMs: 600_000 });
    expect(quote.expiresAt.toISOString()).toBe('2026-12-08T10:10:00.000Z');
    expect(isQuoteValid(quote, new Date('2026-12-08T10:09:59.999Z'))).toBe(true);
    expect(isQuoteValid(quote, new Date('2026-12-08T10:10:00.000Z'))).toBe(false);
  });
});
