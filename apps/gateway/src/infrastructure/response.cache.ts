/**
 * A small in-memory cache with TTL, a size bound and single-flight loading. It is deliberately process-local: the
 * catalogue is small, read-mostly and invalidated by an event, so a shared cache (Redis) would add a network hop
 * to the hottest path for no gain.
 */
export interface ResponseCacheOptions {
  /** 0 disables storing (concurrent misses are still collapsed into one load). */
  ttlMs: number;
  /** Clients choose the keys (every query is one), so the number of entries must be bounded. */
  maxEntries: number;
  now?: () => number;
}

export type LoadOutcome = 'hit' | 'miss' | 'joined';

interface Entry<V> {
  value: V;
  expiresAt: number;
}

export class ResponseCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly inFlight = new Map<string, Promise<V>>();
  /** Bumped by invalidateAll: a load that started before an invalidation must not store its (stale) result. */
  private generation = 0;
  private readonly now: () => number;

  constructor(private readonly opts: ResponseCacheOptions) {
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Synchronous on purpose: a hit costs one Map lookup and no promise. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /**
   * The cached value, or the result of `load`. Concurrent misses for one key share a single load (a burst after an
   * invalidation costs the upstream one call, not one per client). A failed load is not cached.
   */
  async getOrLoad(key: string, load: () => Promise<V>, onOutcome?: (outcome: LoadOutcome) => void): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) {
      onOutcome?.('hit');
      return hit;
    }
    const running = this.inFlight.get(key);
    if (running) {
      onOutcome?.('joined');
      return running;
    }
    onOutcome?.('miss');
    const generation = this.generation;
    const loading = Promise.resolve()
      .then(load)
      .then((value) => {
        if (generation === this.generation) this.set(key, value);
        return value;
      })
      .finally(() => {
        if (this.inFlight.get(key) === loading) this.inFlight.delete(key);
      });
    this.inFlight.set(key, loading);
    return loading;
  }

  /** Drops every entry at once; loads already running finish for their callers but store nothing. */
  invalidateAll(): void {
    this.generation += 1;
    this.entries.clear();
    this.inFlight.clear();
  }

  /** Drops one key at once; a load of it already running finishes for its callers but stores nothing. */
  invalidate(key: string): void {
    // Global generation: cheap and safe (other keys' running loads merely skip one store); invalidations are rare.
    this.generation += 1;
    this.entries.delete(key);
    this.inFlight.delete(key);
  }

  private set(key: string, value: V): void {
    if (this.opts.ttlMs <= 0) return;
    this.entries.delete(key);
    // Map keeps insertion order: the first key is the oldest entry, evicted first.
    while (this.entries.size >= this.opts.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt: this.now() + this.opts.ttlMs });
  }
}
