import { type Principal, type TokenVerifier, UnauthorizedError, UnavailableError } from "@comptoir/platform";

export interface CachingVerifierOptions {
  /** Entries kept at most (least recently used go first). */
  maxEntries?: number;
  /** How long a verified token is remembered (never past its `exp`). */
  ttlMs?: number;
  /** Told why each token was refused (metrics). */
  onFailure?: (reason: string) => void;
  /** Whether the keys are unavailable (a refusal then becomes a 503, not a 401). */
  keysUnavailable?: () => boolean;
  now?: () => number;
}

interface Entry {
  principal: Principal;
  until: number;
}

/** A short reason for the metrics label, from the verifier's message. */
export function failureReason(error: unknown): string {
  const detail = (error as { detail?: string }).detail ?? "";
  if (detail.includes("expired")) return "expired";
  if (detail.includes("unknown key")) return "unknown_key";
  if (detail.includes("signature")) return "bad_signature";
  if (detail.includes("not valid here") || detail.includes("malformed")) return "bad_claims";
  return "invalid";
}

/**
 * Verifying an EdDSA signature costs tens of microseconds; a client sends the same token with every
 * request. Verified tokens are remembered (a Map in insertion order as a bounded LRU) for `ttlMs`,
 * never past their expiry; refused ones are not, so a fixed token is accepted at once.
 */
export function cachingVerifier(inner: TokenVerifier, options: CachingVerifierOptions = {}): TokenVerifier {
  const maxEntries = options.maxEntries ?? 10_000;
  const ttlMs = options.ttlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, Entry>();

  return {
    async verify(token) {
      const t = now();
      const hit = cache.get(token);
      if (hit !== undefined) {
        if (hit.until > t) {
          // Most recently used goes last (evicted last).
          cache.delete(token);
          cache.set(token, hit);
          return hit.principal;
        }
        cache.delete(token);
      }
      let principal: Principal;
      try {
        principal = await inner.verify(token);
      } catch (error) {
        if (error instanceof UnauthorizedError && options.keysUnavailable?.()) {
          options.onFailure?.("keys_unavailable");
          throw new UnavailableError(
            "The gateway cannot check access tokens right now: identity's keys are unavailable.",
            {
              retryAfterSeconds: 5,
            },
          );
        }
        options.onFailure?.(failureReason(error));
        throw error;
      }
      const until = Math.min(t + ttlMs, principal.expiresAt * 1000);
      if (until > t) {
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
        cache.set(token, { principal, until });
      }
      return principal;
    },
  };
}
