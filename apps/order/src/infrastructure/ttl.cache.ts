/**
 * A process-local cache with a TTL and single-flight loading, for the answers place-order needs from other
 * services (vendor terms, bundle prices). Failed loads are not cached. `invalidate*` also stops loads that are
 * already running from storing their (possibly stale) result.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private readonly inFlight = new Map<string, Promise<V>>();
  private generation = 0;

  constructor(
    private readonly opts: { ttlMs: number; maxEntries: number; now?: () => number },
  ) {}

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  async getOrLoad(key: string, load: () => Promise<V>): Promise<V> {
    const entry = this.entries.get(key);
    if (entry) {
      if (entry.expiresAt > this.now()) return entry.value;
      this.entries.delete(key);
    }
    const running = this.inFlight.get(key);
    if (running) return running;
    const generation = this.generation;
    const loading = Promise.resolve()
      .then(load)
      .then((value) => {
        if (generation === this.generation && this.opts.ttlMs > 0) {
          // Bounded: when full, the oldest entry (Map order is insertion order) makes room.
          if (this.entries.size >= this.opts.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
          this.entries.set(key, { value, expiresAt: this.now() + this.opts.ttlMs });
        }
        return value;
      })
      .finally(() => {
        if (this.inFlight.get(key) === loading) this.inFlight.delete(key);
      });
    this.inFlight.set(key, loading);
    return loading;
  }

  invalidate(key: string): void {
    this.generation += 1;
    this.entries.delete(key);
  }

  invalidateAll(): void {
    this.generation += 1;
    this.entries.clear();
  }
}
