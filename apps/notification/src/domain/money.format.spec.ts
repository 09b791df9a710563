import { formatMoney } from './money.format';

describe('formatMoney', () => {
  it.each([
    [1299, 'USD', '$12.99'],
    [1299, 'JPY', '¥1,299'],
    [1299, 'EUR', '€12.99'],
    [1299, 'GBP', '£12.99'],
    [5, 'USD', '$0.05'],
    [0, 'USD', '$0.00'],
    [123456789, 'USD', '$1,234,567.89'],
    [1299, 'BHD', 'BHD 1.299'],
  ])('%d %s -> %s', (amount, currency, expected) => {
    // Intl separates an ISO code from the number with a no-break space.
    expect(formatMoney({ amount, currency }).replace(/\u00a0/g, ' ')).toBe(expected);
  });

  it('keeps every minor unit of amounts beyond float precision', () => {
    expect(formatMoney({ amount: 9007199254740991, currency: 'USD' })).toBe('$90,071,992,547,409.91');
  });
});
