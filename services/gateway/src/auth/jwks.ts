import { createLocalJWKSet, errors as joseErrors, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";

export interface UpstreamJwks {
  /** For createTokenVerifier: the key a token's header names, from the cached JWKS. */
  getKey: JWTVerifyGetKey;
  /**
   * True once a fetch was tried and no JWKS could ever be fetched (tokens cannot be checked: 503
   * rather than 401). Before the first try — a token refused without needing a key (malformed,
   * `alg: none`) — it is false: that token is a 401.
   */
  unavailable(): boolean;
}

export interface UpstreamJwksOptions {
  /** Fetches identity's JWKS (through the identity upstream's instances). */
  fetch(): Promise<JSONWebKeySet>;
  /** At most one refetch per this delay when tokens name an unknown `kid` (default 5 s). */
  cooldownMs?: number;
  /** A JWKS older than this is refetched on the next verification (default 10 min). */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * Identity's public keys, fetched through the gateway's own upstream (no separate URL to
 * configure), cached, and refetched when a token names a key the cache does not have — key
 * rotation — at most once per `cooldownMs`, so a flood of tokens with made-up `kid`s costs one
 * fetch per cooldown. Concurrent refetches share one request.
 */
export function createUpstreamJwks(options: UpstreamJwksOptions): UpstreamJwks {
  const cooldownMs = options.cooldownMs ?? 5_000;
  const maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
  const now = options.now ?? Date.now;
  let keys: JWTVerifyGetKey | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let inflight: Promise<void> | undefined;

  function refresh(): Promise<void> {
    inflight ??= (async () => {
      attemptedAt = now();
      try {
        const jwks = await options.fetch();
        keys = createLocalJWKSet(jwks);
        fetchedAt = now();
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  }

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (!keys) {
      if (now() - attemptedAt < cooldownMs && !inflight) {
        throw new joseErrors.JWKSNoMatchingKey("the signing keys are not available yet");
      }
      await refresh();
    } else if (now() - fetchedAt > maxAgeMs && now() - attemptedAt >= cooldownMs) {
      // Stale: refresh, but keep using the old keys if identity cannot be reached.
      await refresh().catch(() => {});
    }
    try {
      return await keys!(header, token);
    } catch (error) {
      if (!(error instanceof joseErrors.JWKSNoMatchingKey)) throw error;
      // A rotation another request is already fetching, or one this token may trigger.
      if (inflight) await inflight.catch(() => {});
      else if (now() - attemptedAt >= cooldownMs) await refresh();
      else throw error;
      return keys!(header, token);
    }
  };

  return { getKey, unavailable: () => keys === undefined && attemptedAt !== Number.NEGATIVE_INFINITY };
}
