import { preferredWaitSeconds } from './prefer-wait';

describe('preferredWaitSeconds', () => {
  it.each([
    ['wait=5', 5],
    ['wait=0', 0],
    ['respond-async, wait=10', 10],
    ['WAIT = 7', 7],
    ['wait="3"', 3],
    ['wait=31', 30],
    ['wait=999999', 30],
  ])('%s -> %s', (header, expected) => {
    expect(preferredWaitSeconds(header)).toBe(expected);
  });

  it.each([[undefined], [''], ['wait'], ['wait=-1'], ['wait=1.5'], ['wait=abc'], ['return=minimal'], ['x'.repeat(2000)]])('ignores %s', (header) => {
    expect(preferredWaitSeconds(header)).toBeUndefined();
  });
});
