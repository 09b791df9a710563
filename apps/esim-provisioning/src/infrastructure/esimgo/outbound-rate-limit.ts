/**
 * eSIM Go allows 10 requests per second per IP address, across all our replicas (docs/architecture.md#esim-go). Two layers:
 *
 * 1. A sliding log of the sends of the last 1.25 s admits each request: at most `perSecond` sends in any 1.25 s, so no
 *    second of the provider's clock, in whatever windows it counts, sees more than `perSecond` (the 25 % margin
 *    absorbs up to 250 ms of difference between admission and arrival: a busy core, a fresh process's first connection).
 * 2. Local pacing: this replica spaces its own sends at least 1250/perSecond ms apart (measured when they
 *    leave), so a burst of callers does not open a burst of new connections whose set-up times would scatter the
 *    arrivals by more than the margin.
 *
 * The log:
 *
 * - With Redis, the log is shared by every replica: a script on Redis's clock admits the send and records it, or
 *   says how long until the oldest send leaves the window. The caller sends at once when admitted, so what is
 *   recorded is when requests leave, not when they were planned: a late timer cannot squeeze two replicas' sends
 *   together. (A fixed-window counter in Redis is not enough: two replicas can put `perSecond` sends at the end of
 *   one window and `perSecond` more at the start of the next, twice the budget within one second.)
 * - Without Redis (one replica), or while Redis is unreachable, the log is kept in this process for this replica's
 *   share of the budget (`perSecond / replicas`), so the provider still sees at most `perSecond` in all.
 *
 * Hand-written because rate-limiter-flexible (used for the inbound limits) counts points per fixed window and has
 * no sliding window on Redis; the script is a few lines. Callers are served in arrival order; a 429 that still
 * happens is retried after Retry-After by the client.
 */
import type Redis from 'ioredis';

export interface OutboundRateLimitOptions {
  perSecond: number;
  /** When given, the budget is shared by every replica using the same Redis and key. */
  redis?: Redis;
  /**
   * How many replicas share the budget (default 1). While Redis is unreachable each replica keeps to its share,
   * perSecond / replicas, so the provider still sees at most perSecond in all.
   */
  replicas?: number;
  /** Redis key prefix; one budget per provider account. */
  keyPrefix?: string;
  /** Waiting callers beyond this are refused (a backlog this long means the provider cannot keep up anyway). */
  maxQueueSize?: number;
  /** Told once each time the shared schedule becomes unreachable (the local share takes over). */
  onRedisError?: (err: Error) => void;
}

/**
 * KEYS[1] the sorted set of recent sends (score: ms on Redis's clock); ARGV window ms, limit, a unique member.
 * Returns 0 when the send is admitted (and recorded), else how many ms until a place frees up.
 */
const ADMIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tonumber(oldest[2]) + window - now + 1
`;

/** The sends of the last window in this process (the fallback, and the only log of a single replica). */
class LocalLog {
  private readonly sends: number[] = [];

  constructor(
    private readonly windowMs: number,
    private readonly limit: number,
  ) {}

  /** 0 and recorded, or how long until a place frees up. */
  admit(now = Date.now()): number {
    while (this.sends.length > 0 && this.sends[0]! <= now - this.windowMs) this.sends.shift();
    if (this.sends.length < this.limit) {
      this.sends.push(now);
      return 0;
    }
    return this.sends[0]! + this.windowMs - now + 1;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class OutboundRateLimitQueueFull extends Error {
  constructor(size: number) {
    super(`outbound rate limit: ${size} callers already waiting for eSIM Go`);
    this.name = 'OutboundRateLimitQueueFull';
  }
}

/**
 * The sliding window: one second and 25 %. The margin is the most a send may arrive later than it was admitted,
 * relative to the others, without two windows' sends meeting within one second at the provider. 10 % was too
 * little on a busy machine: the drills (`npm run drill`, two replicas on two cores) saw 11 requests within a second
 * after a replica restarted (a fresh process's first connection) or resumed from a freeze.
 */
const WINDOW_MS = 1250;
/** An admission older than this when it arrives is not used (well within the window's 250 ms margin). */
export const STALE_ADMISSION_MS = 50;
/** A process that stays that slow still sends, after this many fresh tries (each spends a place in the log). */
const MAX_STALE_ADMISSIONS = 3;

export class OutboundRateLimit {
  private readonly key: string;
  private readonly maxQueueSize: number;
  private readonly local: LocalLog;
  private chain: Promise<void> = Promise.resolve();
  private readonly spacingMs: number;
  private lastSendAt = 0;
  private waiting = 0;
  private sends = 0;
  private redisFailing = false;

  constructor(private readonly opts: OutboundRateLimitOptions) {
    if (!Number.isInteger(opts.perSecond) || opts.perSecond < 1) throw new Error(`rate limit must be a positive integer, got ${opts.perSecond}`);
    const share = opts.redis ? Math.max(1, Math.floor(opts.perSecond / Math.max(1, opts.replicas ?? 1))) : opts.perSecond;
    this.local = new LocalLog(WINDOW_MS, share);
    this.spacingMs = Math.ceil(WINDOW_MS / opts.perSecond);
    this.key = `${opts.keyPrefix ?? 'ttelgo:esimgo:outbound'}:sends`;
    this.maxQueueSize = opts.maxQueueSize ?? 10_000;
  }

  /** Resolves when this caller may send one request. Callers are served in arrival order. */
  acquire(): Promise<void> {
    if (this.waiting >= this.maxQueueSize) return Promise.reject(new OutboundRateLimitQueueFull(this.waiting));
    this.waiting += 1;
    // One caller at a time per process, in arrival order; it returns (and sends) as soon as it is admitted.
    const turn = this.chain.then(async () => {
      let stale = 0;
      for (;;) {
        const pace = this.lastSendAt + this.spacingMs - Date.now();
        if (pace > 0) await sleep(pace);
        const asked = Date.now();
        const wait = await this.admit();
        if (wait <= 0) {
          // The log recorded the send when it admitted it. An admission that took long to come back (the process was
          // frozen, a long GC pause, a starved core) would send outside the window it was counted in, next to
          // sends admitted since: it is spent, and the caller asks again.
          if (Date.now() - asked <= STALE_ADMISSION_MS || ++stale > MAX_STALE_ADMISSIONS) break;
          continue;
        }
        await sleep(wait);
      }
      this.lastSendAt = Date.now();
    });
    this.chain = turn.then(
      () => void (this.waiting -= 1),
      () => void (this.waiting -= 1),
    );
    return turn;
  }

  private async admit(): Promise<number> {
    if (this.opts.redis) {
      try {
        this.sends += 1;
        const wait = Number(await this.opts.redis.eval(ADMIT, 1, this.key, String(WINDOW_MS), String(this.opts.perSecond), `${process.pid}:${this.sends}:${Math.random()}`));
        this.redisFailing = false;
        // Keep the local log too, so a fallback in the middle of a window starts from what this replica sent.
        if (wait <= 0) this.local.admit();
        return wait;
      } catch (err) {
        if (!this.redisFailing) this.opts.onRedisError?.(err as Error);
        this.redisFailing = true;
      }
    }
    return this.local.admit();
  }
}
