import { parseDuration, parseDurationList } from './duration';

describe('parseDuration', () => {
  it.each([
    ['250', 250],
    ['250ms', 250],
    ['10s', 10_000],
    ['1m', 60_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    [' 5S ', 5000],
  ])('%s -> %d ms', (raw, ms) => {
    expect(parseDuration(raw)).toBe(ms);
  });

  it.each(['', '0', '0s', '-1s', '1.5s', '10 minutes', 'abc'])('rejects %p', (raw) => {
    expect(() => parseDuration(raw)).toThrow();
  });
});

describe('parseDurationList', () => {
  it('parses the default retry schedule', () => {
    expect(parseDurationList('10s,1m,5m,30m,2h')).toEqual([10_000, 60_000, 300_000, 1_800_000, 7_200_000]);
  });

  it('accepts spaces and plain milliseconds', () => {
    expect(parseDurationList('100, 200 ,300ms')).toEqual([100, 200, 300]);
  });

  it('rejects an empty list and a bad element', () => {
    expect(() => parseDurationList(' , ')).toThrow(/at least one/);
    expect(() => parseDurationList('10s,soon')).toThrow(/soon/);
  });
});
