import { API_KEY_PATTERN, API_KEY_TIERS, type ResolvedApiKey } from "@comptoir/contracts";

export interface ApiKeyResolver {
  /** The key's consumer, or null when identity does not know it (unknown or revoked). */
  lookup(key: string): ResolvedApiKey | null | Promise<ResolvedApiKey | null>;
  /** True when `key` is a valid key whose answer is cached: lookup() will not ask identity. */
  knownValid(key: string): boolean;
}

export interface ApiKeyResolverOptions {
  /** Asks identity (POST API_KEY_RESOLVE_PATH): the consumer, or null on 404. Throws when identity is unreachable. */
  resolve(key: string): Promise<ResolvedApiKey | null>;
  /** How long an answer — positive or negative — is reused. Revocation takes effect within this delay. */
  cacheMs: number;
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  value: ResolvedApiKey | null;
  until: number;
}

const KEY = new RegExp(API_KEY_PATTERN);
const TIERS = new Set<string>(API_KEY_TIERS);

/** Identity's answer, checked: anything that is not `{id, name, tier}` counts as an unknown key. */
export function parseResolvedApiKey(body: unknown): ResolvedApiKey | null {
  const b = body as Partial<ResolvedApiKey> | undefined;
  if (!b || typeof b.id !== "string" || typeof b.name !== "string" || typeof b.tier !== "string") return null;
  if (!TIERS.has(b.tier)) return null;
  return { id: b.id, name: b.name, tier: b.tier };
}

/**
 * API keys resolved by identity, cached for `cacheMs` (unknown keys too, so a client hammering with
 * a bad key costs identity one call per delay), with one request in flight per key however many
 * requests carry it at once. A value that cannot be a key (API_KEY_PATTERN) is refused without asking.
 * Identity being unreachable is not cached: the error goes to the caller (a 503).
 */
export function createApiKeyResolver(options: ApiKeyResolverOptions): ApiKeyResolver {
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, Entry>();
  const inflight = new Map<string, Promise<ResolvedApiKey | null>>();

  function remember(key: string, value: ResolvedApiKey | null): void {
    if (options.cacheMs <= 0) return;
    cache.delete(key);
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    cache.set(key, { value, until: now() + options.cacheMs });
  }

  return {
    knownValid(key) {
      const hit = cache.get(key);
      return hit !== undefined && hit.value !== null && hit.until > now();
    },
    lookup(key) {
      if (!KEY.test(key)) return null;
      const hit = cache.get(key);
      if (hit !== undefined) {
        if (hit.until > now()) return hit.value;
        cache.delete(key);
      }
      let pending = inflight.get(key);
      if (!pending) {
        pending = options.resolve(key).then(
          (value) => {
            inflight.delete(key);
            remember(key, value);
            return value;
          },
          (error: unknown) => {
            inflight.delete(key);
            throw error;
          },
        );
        inflight.set(key, pending);
      }
      return pending;
    },
  };
}
