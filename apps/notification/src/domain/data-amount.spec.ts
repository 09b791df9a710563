import { formatDataAmount } from './data-amount';

describe('formatDataAmount', () => {
  it('uses decimal units, rounds down to one decimal (never shows more data than is left)', () => {
    expect(formatDataAmount(0)).toBe('0 B');
    expect(formatDataAmount(999)).toBe('999 B');
    expect(formatDataAmount(200_000_000)).toBe('200 MB');
    expect(formatDataAmount(1_000_000_000)).toBe('1 GB');
    expect(formatDataAmount(1_590_000_000)).toBe('1.5 GB');
    expect(formatDataAmount(150_500)).toBe('150.5 KB');
  });
});
