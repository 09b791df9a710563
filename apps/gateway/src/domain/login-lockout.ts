/**
 * Per-account sign-in throttling, as pure rules. An account gets `maxFailures` wrong passwords within `windowSeconds`;
 * the next one locks it for `lockoutSeconds`. While it has been locked recently (within `memorySeconds`), a single
 * further failure locks it again for twice as long as the previous lock (exponential backoff, capped at
 * `maxLockoutSeconds`). Admin accounts get a stricter policy. A lock holds whatever the client IP and whatever the
 * password: a correct password during a lock is refused too, or the lock would be an oracle.
 */
export interface LockoutPolicy {
  maxFailures: number;
  windowSeconds: number;
  lockoutSeconds: number;
  maxLockoutSeconds: number;
  /** How long earlier lockouts count for the backoff. */
  memorySeconds: number;
}

/** The lock after the `lockoutsSoFar`+1-th lockout: base x 2^lockoutsSoFar, capped. */
export function lockoutDurationSeconds(policy: LockoutPolicy, lockoutsSoFar: number): number {
  const factor = 2 ** Math.min(lockoutsSoFar, 20);
  return Math.min(policy.maxLockoutSeconds, policy.lockoutSeconds * factor);
}

/** How many failures (in the window) lock the account now: the policy's number, or 1 right after a lockout. */
export function failuresBeforeLock(policy: LockoutPolicy, lockoutsSoFar: number): number {
  return lockoutsSoFar > 0 ? 1 : policy.maxFailures;
}
