/**
 * Where request budgets are counted. The algorithm is a fixed window per key: the first request
 * opens a window of `windowMs`, every request in it increments the count, the count starts again
 * when the window ends. It is the cheapest to run atomically (one INCR in Redis) and easy to explain
 * to API consumers (`RateLimit-Reset` is when the window ends); the price is that a client can spend
 * up to twice its budget across the edge of two windows, acceptable for abuse protection.
 */
export interface RateLimitHit {
  /** Requests counted in the current window, this one included. */
  count: number;
  /** Milliseconds until the window ends and the count starts again. */
  resetMs: number;
}

export interface RateLimitStore {
  readonly kind: "memory" | "redis";
  /** Counts one request against `key`. Rejects when the store is unreachable (the limiter fails open). */
  hit(key: string, windowMs: number): RateLimitHit | Promise<RateLimitHit>;
  close(): Promise<void>;
}

interface Window {
  count: number;
  endsAt: number;
}

/**
 * Budgets in this process's memory: exact for one gateway instance; with N instances each counts
 * its own share (use Redis for one shared budget). Ended windows are swept every `sweepMs`.
 */
export function createMemoryStore(options: { now?: () => number; sweepMs?: number } = {}): RateLimitStore {
  const now = options.now ?? Date.now;
  const windows = new Map<string, Window>();
  const sweep = setInterval(() => {
    const t = now();
    for (const [key, w] of windows) if (w.endsAt <= t) windows.delete(key);
  }, options.sweepMs ?? 30_000);
  sweep.unref();

  return {
    kind: "memory",
    hit(key, windowMs) {
      const t = now();
      let w = windows.get(key);
      if (w === undefined || w.endsAt <= t) {
        w = { count: 0, endsAt: t + windowMs };
        windows.set(key, w);
      }
      w.count += 1;
      return { count: w.count, resetMs: w.endsAt - t };
    },
    async close() {
      clearInterval(sweep);
      windows.clear();
    },
  };
}
