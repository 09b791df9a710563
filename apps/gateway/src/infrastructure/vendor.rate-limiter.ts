import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitDecision } from './auth.rate-limiter';

export interface VendorRateLimiter {
  /** Counts one request of `key` (the vendor) in the current minute and decides against `limitPerMinute`. */
  consume(key: string, limitPerMinute: number): Promise<RateLimitDecision>;
}

/** Above the largest rateLimitPerMinute a vendor may have (100 000): the store itself never refuses. */
const COUNTER_CEILING = 10_000_000;

/**
 * Per-vendor fixed window of one minute (all of its keys together), whose limit is the vendor's current
 * rateLimitPerMinute. One counter per vendor, compared with the limit here rather than a limiter per limit value: an admin who changes a vendor's limit
 * changes it at once, against the requests already counted in this window. With Redis the counters are shared by
 * every gateway replica; when Redis is unreachable an in-memory insurance limiter answers (per replica).
 */
export function createVendorRateLimiter(opts: { redis?: Redis | undefined; keyPrefix?: string }): VendorRateLimiter {
  const base = { points: COUNTER_CEILING, duration: 60, keyPrefix: `${opts.keyPrefix ?? 'ttelgo:gateway'}:vendor` };
  const memory = new RateLimiterMemory(base);
  const limiter: RateLimiterAbstract = opts.redis
    ? new RateLimiterRedis({ ...base, storeClient: opts.redis, insuranceLimiter: memory, rejectIfRedisNotReady: true })
    : memory;

  return {
    async consume(key, limitPerMinute) {
      let res: RateLimiterRes;
      try {
        res = await limiter.consume(key);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) throw rejection;
        res = rejection;
      }
      const allowed = res.consumedPoints <= limitPerMinute;
      return {
        allowed,
        limit: limitPerMinute,
        remaining: Math.max(0, limitPerMinute - res.consumedPoints),
        resetSeconds: Math.max(allowed ? 0 : 1, Math.ceil(res.msBeforeNext / 1000)),
      };
    },
  };
}
