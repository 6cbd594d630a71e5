import type { Principal, TokenVerifier } from "./principal";

export interface TokenCacheOptions {
  /** Entries kept at most (least recently used go first). Default 10,000. */
  maxEntries?: number;
  /** How long a verified token is remembered, never past its `exp`. Default 60 s. */
  ttlMs?: number;
  now?: () => number;
}

interface Entry {
  principal: Principal;
  until: number;
}

/**
 * Verifying an EdDSA signature costs a fifth of a millisecond with WebCrypto, and a client sends the
 * same token with every request. Verified tokens are remembered (a Map in insertion order as a
 * bounded LRU) for `ttlMs`, never past their expiry; refusals are not remembered, so a fixed token
 * is accepted at once. A token is its own proof: caching it grants nothing it did not already grant.
 */
export function cachingVerifier(inner: TokenVerifier, options: TokenCacheOptions = {}): TokenVerifier {
  const maxEntries = options.maxEntries ?? 10_000;
  const ttlMs = options.ttlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, Entry>();

  return {
    async verify(token) {
      const t = now();
      const hit = cache.get(token);
      if (hit !== undefined) {
        cache.delete(token);
        if (hit.until > t) {
          // Most recently used goes last (evicted last).
          cache.set(token, hit);
          return hit.principal;
        }
      }
      const principal = await inner.verify(token);
      const until = Math.min(t + ttlMs, principal.expiresAt * 1000);
      if (until > t) {
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
        cache.set(token, { principal, until });
      }
      return principal;
    },
  };
}
