import { convert, ExchangeRateError, inEveryCurrency, parseExchangeRateTable, rateText } from './exchange-rates';

const table = parseExchangeRateTable({
  base: 'USD',
  asOf: '2026-12-01',
  source: 'test',
  rates: { EUR: '0.9234', GBP: '0.79', JPY: '150.5', KWD: '0.3075' },
});

describe('exchange-rate table', () => {
  it('keeps rates as integer millionths and prints them back as text', () => {
    expect(table.rates).toEqual([
      { currency: 'EUR', millionths: 923_400 },
      { currency: 'GBP', millionths: 790_000 },
      { currency: 'JPY', millionths: 150_500_000 },
      { currency: 'KWD', millionths: 307_500 },
    ]);
    expect(table.rates.map((r) => rateText(r.millionths))).toEqual(['0.9234', '0.79', '150.5', '0.3075']);
  });

  it('converts minor units exactly and rounds half a minor unit up, whatever the decimals of either currency', () => {
    expect(convert({ amount: 1000, currency: 'USD' }, table, 'EUR')).toEqual({ amount: 923, currency: 'EUR' }); // 9.234
    expect(convert({ amount: 1299, currency: 'USD' }, table, 'EUR')).toEqual({ amount: 1199, currency: 'EUR' }); // 11.99496
    expect(convert({ amount: 50, currency: 'USD' }, table, 'GBP')).toEqual({ amount: 40, currency: 'GBP' }); // 0.395 -> 0.40
    expect(convert({ amount: 1299, currency: 'USD' }, table, 'JPY')).toEqual({ amount: 1955, currency: 'JPY' }); // 1954.995 -> 1955
    expect(convert({ amount: 1000, currency: 'USD' }, table, 'KWD')).toEqual({ amount: 3075, currency: 'KWD' }); // 3.075 KWD
    expect(convert({ amount: 0, currency: 'USD' }, table, 'EUR')).toEqual({ amount: 0, currency: 'EUR' });
  });

  it('lists the base price first, then every configured currency in order', () => {
    expect(inEveryCurrency({ amount: 1000, currency: 'USD' }, table).map((m) => m.currency)).toEqual(['USD', 'EUR', 'GBP', 'JPY', 'KWD']);
  });

  it('refuses floats written as numbers, unknown codes, the base as a target, bad dates and too many decimals', () => {
    const bad = (rates: Record<string, unknown>, asOf = '2026-12-01') => () =>
      parseExchangeRateTable({ base: 'USD', asOf, source: 'x', rates: rates as Record<string, string> });
    expect(bad({ EUR: 0.92 })).toThrow(ExchangeRateError);
    expect(bad({ EURO: '0.92' })).toThrow(/ISO-4217/);
    expect(bad({ USD: '1' })).toThrow(/base currency/);
    expect(bad({ EUR: '0.1234567' })).toThrow(/more than 6 decimals/);
    expect(bad({ EUR: '0' })).toThrow(/positive/);
    expect(bad({ EUR: '0.9' }, '2026-13-45')).toThrow(/asOf/);
    expect(() => convert({ amount: 1, currency: 'EUR' }, table, 'GBP')).toThrow(/converts from USD/);
    expect(() => convert({ amount: 1, currency: 'USD' }, table, 'CHF')).toThrow(/no rate for CHF/);
  });
});
