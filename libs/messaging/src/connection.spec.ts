import { backoffDelay } from './connection';

describe('backoffDelay', () => {
  it('grows exponentially with jitter between half and all of the step, and never exceeds the cap', () => {
    for (let i = 0; i < 200; i++) {
      const first = backoffDelay(1, 100, 5000);
      expect(first).toBeGreaterThanOrEqual(50);
      expect(first).toBeLessThanOrEqual(100);
      const fourth = backoffDelay(4, 100, 5000);
      expect(fourth).toBeGreaterThanOrEqual(400);
      expect(fourth).toBeLessThanOrEqual(800);
      const late = backoffDelay(40, 100, 5000);
      expect(late).toBeGreaterThanOrEqual(2500);
      expect(late).toBeLessThanOrEqual(5000);
    }
  });

  it('spreads reconnects of many processes (jitter)', () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(6, 100, 30_000)));
    expect(delays.size).toBeGreaterThan(10);
  });
});
