/**
 * Values remembered for a short time, per instance: the product lists' totals (counting 95k active
 * products costs far more than reading a page) and the public list pages. A value may be up to
 * `ttlMs` old when another instance wrote meanwhile; this instance clears the cache on each of its
 * own writes, so a client that writes and then reads through the same instance sees its change.
 * Concurrent misses of one key share one computation. Bounded: the oldest entry goes first.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  private readonly inflight = new Map<string, Promise<V>>();
  /** Bumped by clear(): a computation that started before a write is not stored after it. */
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached value for `key`, or `compute()`'s. With a TTL of 0, always `compute()`. */
  async get(key: string, compute: () => Promise<V>): Promise<V> {
    if (this.ttlMs <= 0) return compute();
    const hit = this.entries.get(key);
    if (hit && hit.expires > this.now()) return hit.value;
    const running = this.inflight.get(key);
    if (running) return running;
    const generation = this.generation;
    const promise = compute()
      .then((value) => {
        if (generation === this.generation) {
          this.entries.delete(key);
          this.entries.set(key, { value, expires: this.now() + this.ttlMs });
          if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
        }
        return value;
      })
      .finally(() => {
        if (this.inflight.get(key) === promise) this.inflight.delete(key);
      });
    this.inflight.set(key, promise);
    return promise;
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.inflight.clear();
  }
}
