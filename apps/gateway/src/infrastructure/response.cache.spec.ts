import { ResponseCache } from './response.cache';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('ResponseCache', () => {
  let now = 1_000;
  const clock = () => now;
  beforeEach(() => (now = 1_000));

  it('stores a loaded value until its TTL passes', async () => {
    const cache = new ResponseCache<string>({ ttlMs: 100, maxEntries: 10, now: clock });
    const load = jest.fn(async () => 'v1');
    expect(await cache.getOrLoad('k', load)).toBe('v1');
    expect(cache.get('k')).toBe('v1');
    now += 99;
    expect(await cache.getOrLoad('k', load)).toBe('v1');
    expect(load).toHaveBeenCalledTimes(1);
    now += 1;
    expect(cache.get('k')).toBeUndefined();
    await cache.getOrLoad('k', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('runs one load for concurrent misses of a key and reports the outcomes', async () => {
    const cache = new ResponseCache<string>({ ttlMs: 100, maxEntries: 10, now: clock });
    const gate = deferred<string>();
    const load = jest.fn(() => gate.promise);
    const outcomes: string[] = [];
    const waiting = Array.from({ length: 5 }, () => cache.getOrLoad('k', load, (o) => outcomes.push(o)));
    gate.resolve('v');
    expect(await Promise.all(waiting)).toEqual(['v', 'v', 'v', 'v', 'v']);
    expect(load).toHaveBeenCalledTimes(1);
    expect(outcomes).toEqual(['miss', 'joined', 'joined', 'joined', 'joined']);
  });

  it('does not cache a failed load, and the next call loads again', async () => {
    const cache = new ResponseCache<string>({ ttlMs: 100, maxEntries: 10, now: clock });
    await expect(cache.getOrLoad('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(cache.getOrLoad('k', async () => 'ok')).resolves.toBe('ok');
  });

  it('invalidateAll empties it, and a load begun before the invalidation stores nothing', async () => {
    const cache = new ResponseCache<string>({ ttlMs: 100, maxEntries: 10, now: clock });
    await cache.getOrLoad('a', async () => 'old-a');
    const gate = deferred<string>();
    const stale = cache.getOrLoad('b', () => gate.promise);
    cache.invalidateAll();
    expect(cache.get('a')).toBeUndefined();
    // A request after the invalidation does not join the stale load.
    const fresh = cache.getOrLoad('b', async () => 'new-b');
    gate.resolve('old-b');
    expect(await stale).toBe('old-b');
    expect(await fresh).toBe('new-b');
    expect(cache.get('b')).toBe('new-b');
  });

  it('evicts the oldest entries beyond maxEntries', async () => {
    const cache = new ResponseCache<number>({ ttlMs: 1000, maxEntries: 3, now: clock });
    for (let i = 0; i < 5; i += 1) await cache.getOrLoad(`k${i}`, async () => i);
    expect(cache.size).toBe(3);
    expect(cache.get('k0')).toBeUndefined();
    expect(cache.get('k1')).toBeUndefined();
    expect([cache.get('k2'), cache.get('k3'), cache.get('k4')]).toEqual([2, 3, 4]);
  });

  it('with TTL 0 stores nothing but still collapses concurrent loads', async () => {
    const cache = new ResponseCache<string>({ ttlMs: 0, maxEntries: 10, now: clock });
    const load = jest.fn(async () => 'v');
    await Promise.all([cache.getOrLoad('k', load), cache.getOrLoad('k', load)]);
    expect(load).toHaveBeenCalledTimes(1);
    expect(cache.get('k')).toBeUndefined();
  });
});
