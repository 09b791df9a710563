/**
 * The counters behind per-account sign-in throttling (domain/login-lockout.ts), in rate-limiter-flexible: Redis when
 * REDIS_URL is set (shared by every replica, an in-memory insurance limiter when Redis is away), memory otherwise.
 * Three counters per account key: failures in the window, the lock itself, and the lockouts remembered for the
 * backoff.
 */
import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { failuresBeforeLock, lockoutDurationSeconds, type LockoutPolicy } from '../domain/login-lockout';

export interface LoginThrottle {
  /** Seconds until the account may try again; 0 when it is not locked. */
  lockedFor(account: string): Promise<number>;
  /** A wrong password: counts it and locks the account when the policy says so. Returns the new lock's seconds, or 0. */
  failed(account: string, policy: LockoutPolicy): Promise<number>;
  /** A successful sign-in ends the failure streak (earlier lockouts still count for the backoff). */
  succeeded(account: string): Promise<void>;
}

const BIG = 1_000_000_000;

function limiter(redis: Redis | undefined, name: string, duration: number): RateLimiterAbstract {
  const base = { points: BIG, duration, keyPrefix: `ttelgo:gateway:login-${name}` };
  const memory = new RateLimiterMemory(base);
  return redis ? new RateLimiterRedis({ ...base, storeClient: redis, insuranceLimiter: memory, rejectIfRedisNotReady: true }) : memory;
}

async function count(store: RateLimiterAbstract, key: string, duration: number): Promise<number> {
  try {
    return (await store.consume(key, 1, { customDuration: duration })).consumedPoints;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return rejection.consumedPoints;
    throw rejection;
  }
}

export function createLoginThrottle(opts: { redis?: Redis | undefined; maxWindowSeconds: number; maxMemorySeconds: number }): LoginThrottle {
  const failures = limiter(opts.redis, 'failures', opts.maxWindowSeconds);
  const locks = limiter(opts.redis, 'lock', 1);
  const lockouts = limiter(opts.redis, 'lockouts', opts.maxMemorySeconds);
  return {
    async lockedFor(account) {
      const lock = await locks.get(account);
      return lock === null || lock.msBeforeNext <= 0 ? 0 : Math.max(1, Math.ceil(lock.msBeforeNext / 1000));
    },
    async failed(account, policy) {
      const previous = (await lockouts.get(account))?.consumedPoints ?? 0;
      const failuresNow = await count(failures, account, policy.windowSeconds);
      if (failuresNow < failuresBeforeLock(policy, previous)) return 0;
      const seconds = lockoutDurationSeconds(policy, previous);
      await locks.set(account, 1, seconds);
      await count(lockouts, account, policy.memorySeconds);
      await failures.delete(account);
      return seconds;
    },
    async succeeded(account) {
      await failures.delete(account);
    },
  };
}
