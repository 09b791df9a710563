import { markupAmount, markupPercentToBps, PricingError, retailPrice } from './pricing';

describe('retailPrice = cost + roundHalfUp(cost * markupBps / 10000)', () => {
  it.each([
    // [cost, bps, retail]
    [1000, 3000, 1300], // 30 % of 10.00 = 3.00 exactly
    [999, 3000, 1299], // 2.997 -> 3.00 (up: .7 of a cent)
    [1001, 3000, 1301], // 3.003 -> 3.00 (down: .3 of a cent)
    [5, 1000, 6], // 0.5 of a cent: exactly half goes up
    [4, 1000, 4], // 0.4 of a cent: below half goes down
    [15, 5000, 23], // 7.5 -> 8
    [1, 4999, 1], // 0.4999 -> 0
    [1, 5000, 2], // 0.5 -> 1
    [0, 3000, 0], // free stays free
    [1234, 0, 1234], // no markup
    [1999, 2750, 2549], // 27.5 %: 549.725 -> 550
  ])('cost %p at %p bps -> %p', (cost, bps, expected) => {
    expect(retailPrice({ amount: cost, currency: 'USD' }, bps)).toEqual({ amount: expected, currency: 'USD' });
  });

  it.each([
    // vendor markups (billing's markupBps) go through the same function: [cost, bps, vendor price]
    [1000, 1500, 1150], // 15 %
    [999, 1250, 1124], // 124.875 -> 125
    [333, 150, 338], // 4.995 -> 5
    [1000, 100_000, 11_000], // the contract's maximum, 1000 %
  ])('vendor price: cost %p at %p bps -> %p', (cost, bps, expected) => {
    expect(retailPrice({ amount: cost, currency: 'EUR' }, bps)).toEqual({ amount: expected, currency: 'EUR' });
  });

  it('keeps the currency of the cost (also for 0-decimal currencies)', () => {
    expect(retailPrice({ amount: 1500, currency: 'JPY' }, 3000)).toEqual({ amount: 1950, currency: 'JPY' });
    expect(retailPrice({ amount: 1, currency: 'JPY' }, 5000)).toEqual({ amount: 2, currency: 'JPY' });
  });

  it('is exact where floating point is not', () => {
    // 0.29 * 100 style traps: 1.15 * 30 % = 0.345 (float: 0.34499999999999997) -> rounds half-up to 0.35
    expect(markupAmount(115, 3000)).toBe(35);
    // huge costs take the BigInt path and still round half-up exactly
    const big = 9_007_199_254_740; // 90 billion dollars in cents
    expect(markupAmount(big, 3000)).toBe(2_702_159_776_422); // 2_702_159_776_422.0
    expect(markupAmount(big + 1, 5)).toBe(4_503_599_627); // (big+1)*5/10000 = 4503599627.3705 -> down
  });

  it('refuses negative or fractional inputs', () => {
    expect(() => markupAmount(-1, 3000)).toThrow(PricingError);
    expect(() => markupAmount(1.5, 3000)).toThrow(PricingError);
    expect(() => markupAmount(100, -1)).toThrow(PricingError);
    expect(() => markupAmount(100, 2.5)).toThrow(PricingError);
  });
});

describe('markupPercentToBps', () => {
  it('turns decimal percents into basis points', () => {
    expect(markupPercentToBps('30')).toBe(3000);
    expect(markupPercentToBps('27.5')).toBe(2750);
    expect(markupPercentToBps(12.25)).toBe(1225);
    expect(markupPercentToBps('0')).toBe(0);
    expect(markupPercentToBps('150')).toBe(15000);
  });

  it('refuses what basis points cannot hold, and negatives', () => {
    expect(() => markupPercentToBps('27.555')).toThrow(PricingError);
    expect(() => markupPercentToBps('-5')).toThrow(PricingError);
    expect(() => markupPercentToBps('thirty')).toThrow(PricingError);
  });
});
