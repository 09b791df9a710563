import { currencyDecimals, MoneyFormatError, parseScaledDecimal, toMinorUnits } from './money';

describe('toMinorUnits', () => {
  it.each([
    [19.99, 'USD', 1999],
    ['19.99', 'USD', 1999],
    [0.1 + 0.2, 'USD', 30], // 0.30000000000000004: float noise is below half a cent
    [1.005, 'USD', 101], // 1.005 * 100 === 100.49999999999999 in floats; string arithmetic rounds half-up
    [1.015, 'USD', 102],
    ['2.675', 'USD', 268],
    ['2.674999', 'USD', 267],
    [0, 'USD', 0],
    ['0.004', 'USD', 0],
    ['0.005', 'USD', 1],
    [12, 'EUR', 1200],
    ['.5', 'EUR', 50],
    ['7.', 'EUR', 700],
    ['1e3', 'USD', 100000],
    [1e-7, 'USD', 0], // String(1e-7) is exponent notation
    ['1.5e-2', 'USD', 2],
    [1234, 'JPY', 1234],
    ['1234.5', 'JPY', 1235],
    ['1234.49', 'KRW', 1234],
    [99.5, 'VND', 100],
    ['1500', 'CLP', 1500],
    ['1.2345', 'KWD', 1235],
    ['1.2344', 'BHD', 1234],
    [0.001, 'KWD', 1],
    ['  3.10 ', 'USD', 310],
  ])('%p %s -> %p', (value, currency, expected) => {
    expect(toMinorUnits(value, currency)).toBe(expected);
  });

  it('rounds negative amounts half away from zero, symmetric to positive ones', () => {
    expect(toMinorUnits('-1.005', 'USD')).toBe(-101);
    expect(toMinorUnits('-1.004', 'USD')).toBe(-100);
    expect(Object.is(toMinorUnits('-0.001', 'USD'), 0)).toBe(true);
  });

  it.each([['abc'], [''], ['1,50'], ['1.2.3'], ['--1'], [NaN], [Infinity], ['0x10']])('refuses %p', (value) => {
    expect(() => toMinorUnits(value as string | number, 'USD')).toThrow(MoneyFormatError);
  });

  it('refuses amounts beyond the safe integer range and unknown currency codes', () => {
    expect(() => toMinorUnits('90071992547409.92', 'USD')).toThrow(/too large/);
    expect(toMinorUnits('90071992547409.91', 'USD')).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => toMinorUnits(1, 'usd')).toThrow(MoneyFormatError);
    expect(() => toMinorUnits(1, 'US')).toThrow(MoneyFormatError);
  });
});

describe('currencyDecimals', () => {
  it('knows the 0- and 3-decimal currencies and defaults to 2', () => {
    expect(currencyDecimals('JPY')).toBe(0);
    expect(currencyDecimals('KRW')).toBe(0);
    expect(currencyDecimals('KWD')).toBe(3);
    expect(currencyDecimals('TND')).toBe(3);
    expect(currencyDecimals('USD')).toBe(2);
    expect(currencyDecimals('GBP')).toBe(2);
  });
});

describe('parseScaledDecimal', () => {
  it('scales exactly and refuses finer values instead of rounding them', () => {
    expect(parseScaledDecimal('27.5', 2)).toBe(2750);
    expect(parseScaledDecimal('27.50', 2)).toBe(2750);
    expect(parseScaledDecimal('27.500000', 2)).toBe(2750);
    expect(parseScaledDecimal(30, 2)).toBe(3000);
    expect(parseScaledDecimal('0.01', 2)).toBe(1);
    expect(() => parseScaledDecimal('0.001', 2)).toThrow(/more than 2 decimals/);
    expect(() => parseScaledDecimal('27.555', 2)).toThrow(MoneyFormatError);
  });
});
