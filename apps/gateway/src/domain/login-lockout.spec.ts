import { failuresBeforeLock, lockoutDurationSeconds, type LockoutPolicy } from './login-lockout';

const policy: LockoutPolicy = { maxFailures: 5, windowSeconds: 900, lockoutSeconds: 60, maxLockoutSeconds: 3600, memorySeconds: 86_400 };

describe('login lockout rules', () => {
  it('doubles each lock, up to the cap', () => {
    expect([0, 1, 2, 3, 6, 7, 40].map((n) => lockoutDurationSeconds(policy, n))).toEqual([60, 120, 240, 480, 3600, 3600, 3600]);
  });

  it('locks after maxFailures the first time and after one failure once it was locked', () => {
    expect(failuresBeforeLock(policy, 0)).toBe(5);
    expect(failuresBeforeLock(policy, 1)).toBe(1);
  });
});
