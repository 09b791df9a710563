/**
 * eSIM Go allows 10 requests per second per IP address, across all our replicas (DESIGN.md §3). Two layers:
 *
 * 1. A shared budget of `perSecond` requests per one-second window: RateLimiterRedis when Redis is configured
 *    (every replica draws from the same key), else RateLimiterMemory (one replica: the budget is local). It is
 *    wrapped in a RateLimiterQueue, so a caller over budget WAITS for the next window instead of failing.
 *    If Redis fails, the insurance limiter (memory, same budget) takes over, so calls keep flowing at a safe
 *    per-replica rate instead of failing or going unlimited.
 * 2. Local pacing: this replica spaces its sends at least 1000/perSecond ms (+10 %) apart. Fixed windows alone
 *    allow a burst of `perSecond` at the end of one window and another at the start of the next, i.e. up to
 *    2 x perSecond within one second of the provider's own (unaligned) window, which answers 429. Pacing
 *    bounds any 1.1 s interval of sends to `perSecond`; the 10 % margin absorbs up to ~100 ms of difference in
 *    network delay between requests, as seen by the provider's clock. Larger jitter can still meet a 429, which
 *    the client retries after Retry-After.
 */
import { RateLimiterMemory, RateLimiterQueue, RateLimiterRedis } from 'rate-limiter-flexible';
import type Redis from 'ioredis';

export interface OutboundRateLimitOptions {
  perSecond: number;
  /** When given, the budget is shared by every replica using the same Redis and key. */
  redis?: Redis;
  /** Redis key prefix; one budget per provider account. */
  keyPrefix?: string;
  /** Waiting callers beyond this are refused (a backlog this long means the provider cannot keep up anyway). */
  maxQueueSize?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class OutboundRateLimit {
  private readonly queue: RateLimiterQueue;
  private readonly spacingMs: number;
  private chain: Promise<void> = Promise.resolve();
  private lastSendAt = 0;

  constructor(opts: OutboundRateLimitOptions) {
    if (!Number.isInteger(opts.perSecond) || opts.perSecond < 1) throw new Error(`rate limit must be a positive integer, got ${opts.perSecond}`);
    const keyPrefix = opts.keyPrefix ?? 'ttelgo:esimgo:outbound';
    const memory = new RateLimiterMemory({ points: opts.perSecond, duration: 1, keyPrefix });
    const limiter = opts.redis
      ? new RateLimiterRedis({ storeClient: opts.redis, points: opts.perSecond, duration: 1, keyPrefix, insuranceLimiter: memory })
      : memory;
    this.queue = new RateLimiterQueue(limiter, { maxQueueSize: opts.maxQueueSize ?? 10_000 });
    this.spacingMs = Math.ceil((1000 / opts.perSecond) * 1.1);
  }

  /** Resolves when this caller may send one request. Callers are served in arrival order. */
  acquire(): Promise<void> {
    const turn = this.chain.then(async () => {
      await this.queue.removeTokens(1);
      const wait = this.lastSendAt + this.spacingMs - Date.now();
      if (wait > 0) await sleep(wait);
      this.lastSendAt = Date.now();
    });
    // A refused turn must not block the ones behind it.
    this.chain = turn.catch(() => undefined);
    return turn;
  }
}
