/**
 * The shared eSIM Go budget when a replica stalls between asking for a place and getting it (a frozen process, a
 * long GC pause): the late admission is not used, because its send would land outside the window it was counted
 * in, next to the other replicas' sends. Found by the freeze drill (`npm run drill`): after SIGCONT the simulator
 * saw 13 requests within one second.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { OutboundRateLimit, STALE_ADMISSION_MS } from '../src/infrastructure/esimgo/outbound-rate-limit';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let redis: Redis;

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
});

afterAll(() => {
  redis.disconnect();
});

/** Redis as a stalled process sees it: the first `stalls` answers arrive `delayMs` late. */
function stallingRedis(stalls: number, delayMs: number): { redis: Redis; calls: () => number } {
  let calls = 0;
  const proxy = {
    eval: async (...args: Parameters<Redis['eval']>) => {
      calls += 1;
      const answer = await redis.eval(...args);
      if (calls <= stalls) await sleep(delayMs);
      return answer;
    },
  } as unknown as Redis;
  return { redis: proxy, calls: () => calls };
}

describe('OutboundRateLimit', () => {
  it('asks again when its admission came back late, so the send is counted in the window it leaves in', async () => {
    const keyPrefix = `ttelgo:test:esimgo:${randomUUID()}`;
    const stalled = stallingRedis(1, STALE_ADMISSION_MS + 200);
    const limit = new OutboundRateLimit({ perSecond: 10, redis: stalled.redis, replicas: 2, keyPrefix });
    await limit.acquire();
    // The late admission is spent; a fresh one admitted the send: two places in the shared log.
    expect(stalled.calls()).toBe(2);
    expect(await redis.zcard(`${keyPrefix}:sends`)).toBe(2);
  });

  it('uses a prompt admission at once', async () => {
    const keyPrefix = `ttelgo:test:esimgo:${randomUUID()}`;
    const prompt = stallingRedis(0, 0);
    const limit = new OutboundRateLimit({ perSecond: 10, redis: prompt.redis, replicas: 2, keyPrefix });
    await limit.acquire();
    expect(prompt.calls()).toBe(1);
    expect(await redis.zcard(`${keyPrefix}:sends`)).toBe(1);
  });

  it('still sends when the process stays slow: a few fresh tries, then the admission it has', async () => {
    const keyPrefix = `ttelgo:test:esimgo:${randomUUID()}`;
    const slow = stallingRedis(100, STALE_ADMISSION_MS + 30);
    const limit = new OutboundRateLimit({ perSecond: 10, redis: slow.redis, replicas: 2, keyPrefix });
    await limit.acquire();
    expect(slow.calls()).toBe(4);
  });
});
