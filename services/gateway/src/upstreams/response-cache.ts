import type { FastifyRequest } from "fastify";

/**
 * A shared HTTP cache in front of the services (RFC 9111, the subset a gateway needs), so that a hot
 * public read — a product page every shopper opens — is answered without a hop when the service
 * allows it. The service decides: only a 200 to a GET without credentials, whose `Cache-Control`
 * says `s-maxage=N` (or `public` with `max-age=N`), without `private`, `no-store`, `no-cache`,
 * `Set-Cookie` or `Vary`, with a known length under the entry limit, is kept — for N seconds, then
 * fetched again. Memory is bounded by bytes; the oldest entries go first.
 */
export interface CachedResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  storedAt: number;
  expiresAt: number;
}

export interface ResponseCacheOptions {
  /** Total body bytes kept (0: no cache). */
  maxBytes: number;
  /** Largest body kept. */
  maxEntryBytes: number;
  now?: () => number;
}

export interface ResponseCache {
  get(key: string): CachedResponse | undefined;
  /** Seconds a response may be kept, from its status and headers; 0 when it must not be. */
  lifetimeOf(status: number, headers: Record<string, string | string[] | undefined>): number;
  set(key: string, entry: Omit<CachedResponse, "storedAt" | "expiresAt">, lifetimeSeconds: number): void;
  readonly size: number;
  readonly bytes: number;
}

/** A request that may be answered from (and fill) the shared cache: a GET without credentials. */
export function cacheableRequest(request: FastifyRequest): boolean {
  if (request.method !== "GET") return false;
  const h = request.headers;
  // Credentials make the answer someone's: never shared (RFC 9111 §3.5). An API key only names the
  // client application; it does not change what a public read returns.
  return h.authorization === undefined && h.cookie === undefined && h["cache-control"] !== "no-cache";
}

function directives(value: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of value.split(",")) {
    const [name, arg] = part.trim().toLowerCase().split("=", 2);
    if (name) found.set(name, (arg ?? "").replace(/^"|"$/g, ""));
  }
  return found;
}

export function createResponseCache(options: ResponseCacheOptions): ResponseCache {
  const now = options.now ?? Date.now;
  const entries = new Map<string, CachedResponse>();
  let bytes = 0;

  function remove(key: string) {
    const old = entries.get(key);
    if (!old) return;
    entries.delete(key);
    bytes -= old.body.length;
  }

  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        remove(key);
        return undefined;
      }
      return entry;
    },

    lifetimeOf(status, headers) {
      if (status !== 200 || options.maxBytes <= 0) return 0;
      const control = headers["cache-control"];
      if (typeof control !== "string") return 0;
      if (headers["set-cookie"] !== undefined || headers.vary !== undefined) return 0;
      const length = Number(headers["content-length"]);
      if (!Number.isFinite(length) || length > options.maxEntryBytes) return 0;
      const d = directives(control);
      if (d.has("private") || d.has("no-store") || d.has("no-cache")) return 0;
      const shared = d.get("s-maxage");
      const seconds = shared !== undefined ? Number(shared) : d.has("public") ? Number(d.get("max-age")) : NaN;
      return Number.isInteger(seconds) && seconds > 0 ? seconds : 0;
    },

    set(key, entry, lifetimeSeconds) {
      if (entry.body.length > options.maxEntryBytes || lifetimeSeconds <= 0) return;
      remove(key);
      const at = now();
      entries.set(key, { ...entry, storedAt: at, expiresAt: at + lifetimeSeconds * 1000 });
      bytes += entry.body.length;
      // Oldest first (a Map iterates in insertion order).
      for (const [oldest] of entries) {
        if (bytes <= options.maxBytes) break;
        remove(oldest);
      }
    },

    get size() {
      return entries.size;
    },
    get bytes() {
      return bytes;
    },
  };
}
