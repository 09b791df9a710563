import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (>= 1 when blocked). */
  resetSeconds: number;
}

export interface RateLimiter {
  consume(key: string): Promise<RateLimitDecision>;
  /** The key's budget without taking a point: refused once `points` were taken in this window. */
  peek(key: string): Promise<RateLimitDecision>;
  /** Takes a point after the fact (a failed attempt); never refuses. */
  charge(key: string): Promise<void>;
}

/**
 * A fixed window of `points` per `durationSeconds` per key. With Redis the count is shared by every gateway replica;
 * when Redis is unreachable a per-replica memory limiter (the insurance limiter) answers instead, so an outage of
 * Redis neither opens the gates nor takes login down.
 */
export function createRateLimiter(opts: { name: string; points: number; durationSeconds: number; redis?: Redis | undefined; keyPrefix?: string }): RateLimiter {
  const base = { points: opts.points, duration: opts.durationSeconds, keyPrefix: `${opts.keyPrefix ?? 'ttelgo:gateway'}:${opts.name}` };
  const memory = new RateLimiterMemory(base);
  const limiter: RateLimiterAbstract = opts.redis
    ? new RateLimiterRedis({ ...base, storeClient: opts.redis, insuranceLimiter: memory, rejectIfRedisNotReady: true })
    : memory;

  const decision = (res: RateLimiterRes, allowed: boolean): RateLimitDecision => ({
    allowed,
    limit: opts.points,
    remaining: Math.max(0, res.remainingPoints),
    resetSeconds: Math.max(allowed ? 0 : 1, Math.ceil(res.msBeforeNext / 1000)),
  });

  return {
    async consume(key) {
      try {
        return decision(await limiter.consume(key), true);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return decision(rejection, false);
        throw rejection;
      }
    },
    async peek(key) {
      const res = await limiter.get(key);
      if (res === null) return { allowed: true, limit: opts.points, remaining: opts.points, resetSeconds: 0 };
      return decision(res, res.consumedPoints < opts.points);
    },
    async charge(key) {
      try {
        await limiter.penalty(key, 1);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
      }
    },
  };
}
