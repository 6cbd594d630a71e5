import { Redis } from "ioredis";
import type { RateLimitHit, RateLimitStore } from "./rate-limit.store";

/**
 * The fixed window of rate-limit.store.ts in one atomic Lua script: increment, and start the
 * window's expiry on its first request (or if a key ever lost its expiry). Returns the count and
 * the milliseconds left. Every gateway instance sharing the Redis (and the key prefix) shares budgets.
 */
const HIT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

type WithHit = Redis & { rateLimitHit(key: string, windowMs: number): Promise<[number, number]> };

export interface RedisStoreOptions {
  url: string;
  /** A command slower than this fails (and the limiter lets the request through). Default 250 ms. */
  commandTimeoutMs?: number;
  onError?: (error: Error) => void;
}

/**
 * Budgets in Redis. Commands are never queued while disconnected and time out quickly: when Redis
 * is down a hit rejects at once, and the limiter fails open rather than holding requests.
 */
export function createRedisStore(
  options: RedisStoreOptions,
): RateLimitStore & { ready(timeoutMs: number): Promise<boolean> } {
  const redis = new Redis(options.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 250,
    connectTimeout: 2_000,
    // Keep trying in the background (at most every 2 s); requests meanwhile go through unlimited.
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  }) as WithHit;
  redis.defineCommand("rateLimitHit", { numberOfKeys: 1, lua: HIT });
  redis.on("error", (error: Error) => options.onError?.(error));

  return {
    kind: "redis",
    async hit(key, windowMs): Promise<RateLimitHit> {
      const [count, ttl] = await redis.rateLimitHit(key, windowMs);
      return { count, resetMs: ttl };
    },
    /** Waits (up to `timeoutMs`) for the first connection; false if Redis is not there yet. */
    async ready(timeoutMs) {
      if (redis.status === "ready") return true;
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          redis.off("ready", onReady);
          resolve(false);
        }, timeoutMs);
        const onReady = () => {
          clearTimeout(timer);
          resolve(true);
        };
        redis.once("ready", onReady);
      });
    },
    async close() {
      redis.disconnect();
    },
  };
}
