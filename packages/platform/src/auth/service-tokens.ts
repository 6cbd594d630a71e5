import { SERVICE_TOKEN_PATH, type ServiceAccountName, type ServiceTokenResponse } from "@comptoir/contracts";
import { request } from "undici";
import { UnavailableError } from "../errors/app-error";
import { internalAgent } from "../client/agent";

/** A service's own access token, for calls no user request carries (a resumed saga, an event handler). */
export interface ServiceTokens {
  /** A valid token: the cached one, or a new one from identity when it nears its expiry. */
  token(): Promise<string>;
  /** Forgets `token` (a callee refused it, e.g. after a key rotation); a newer cached token is kept. */
  invalidate(token: string): void;
}

export interface ServiceTokensOptions {
  /** The service account to obtain tokens for. */
  service: ServiceAccountName;
  /** The account's own credential (SERVICE_CREDENTIAL), derived from identity's INTERNAL_SECRET. */
  credential: string;
  /** Identity's base URL (see identityUrlOf). */
  identityUrl: string;
  /** Fetch a new token this long before the cached one expires: default 60 s, never more than 20% of its lifetime. */
  refreshBeforeSeconds?: number;
  /** Per fetch, connection to last byte (default 2 s). */
  timeoutMs?: number;
}

interface Cached {
  token: string;
  /** Epoch ms after which a new token is fetched. */
  refreshAt: number;
  /** Epoch ms at which the token expires, as measured from when it was asked for. */
  expiresAt: number;
}

/** A cached token still this far from expiry is used when a refresh fails (covers clock skew and transit). */
const STALE_MARGIN_MS = 5_000;

/**
 * Obtains and caches the service's token from identity (POST SERVICE_TOKEN_PATH with its credential).
 * Concurrent callers share one fetch; a failed fetch is not remembered, so the next call tries again.
 * Identity unreachable (or answering 5xx) is a 503 UnavailableError naming it; a refused credential is a
 * plain Error (a configuration fault, not a transient one). While a refresh fails, a cached token
 * that has not yet expired is still handed out.
 */
export function createServiceTokens(options: ServiceTokensOptions): ServiceTokens {
  const url = new URL(SERVICE_TOKEN_PATH, options.identityUrl);
  const timeoutMs = options.timeoutMs ?? 2_000;
  const refreshBeforeSeconds = options.refreshBeforeSeconds ?? 60;
  let cached: Cached | undefined;
  let inflight: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    // Expiry is counted from before the request: the token may have been signed at any point since.
    const askedAt = Date.now();
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ service: options.service, credential: options.credential }),
        signal: AbortSignal.timeout(timeoutMs),
        dispatcher: internalAgent,
      });
    } catch (error) {
      const timedOut = (error as Error).name === "TimeoutError";
      const reason = timedOut
        ? `no answer within ${timeoutMs} ms`
        : (error as { code?: string }).code || (error as Error).message;
      throw unavailable(`${url.origin}: ${reason}`, error);
    }
    const text = await res.body.text();
    if (res.statusCode >= 500) throw unavailable(`${url.origin} answered ${res.statusCode}`);
    if (res.statusCode === 401) {
      throw new Error(
        `identity refused the service credential of "${options.service}": SERVICE_CREDENTIAL is not the one ` +
          `identity derives from its INTERNAL_SECRET for "${options.service}" (comptoir secrets credential ${options.service})`,
      );
    }
    if (res.statusCode !== 200) {
      throw new Error(
        `identity answered ${res.statusCode} to the service token request of "${options.service}": ${text.slice(0, 200)}`,
      );
    }
    const body = parse(text);
    if (!body) throw new Error(`identity answered a malformed service token response: ${text.slice(0, 200)}`);
    const lifetimeMs = body.expiresIn * 1000;
    const marginMs = Math.min(refreshBeforeSeconds * 1000, lifetimeMs * 0.2);
    cached = { token: body.token, refreshAt: askedAt + lifetimeMs - marginMs, expiresAt: askedAt + lifetimeMs };
    return body.token;
  }

  async function refresh(): Promise<string> {
    const stale = cached;
    try {
      return await fetchToken();
    } catch (error) {
      if (stale && stale === cached && Date.now() < stale.expiresAt - STALE_MARGIN_MS) return stale.token;
      throw error;
    }
  }

  return {
    async token() {
      if (cached && Date.now() < cached.refreshAt) return cached.token;
      inflight ??= refresh().finally(() => {
        inflight = undefined;
      });
      return inflight;
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}

function unavailable(reason: string, cause?: unknown): UnavailableError {
  return new UnavailableError(`The identity service is unavailable for service tokens: ${reason}.`, {
    retryAfterSeconds: 1,
    extensions: { dependency: "identity" },
    ...(cause === undefined ? {} : { cause }),
  });
}

function parse(text: string): ServiceTokenResponse | undefined {
  try {
    const body = JSON.parse(text) as Partial<ServiceTokenResponse>;
    if (typeof body.token === "string" && typeof body.expiresIn === "number" && body.expiresIn > 0) {
      return { token: body.token, expiresIn: body.expiresIn };
    }
  } catch {
    // Not JSON: reported by the caller with the text.
  }
  return undefined;
}
