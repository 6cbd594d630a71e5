import {
  API_KEY_HEADERS,
  type ApiKeyTier,
  IDENTITY_HEADERS,
  INTERNAL_HEADER_PREFIX,
  type ResolvedApiKey,
} from "@comptoir/contracts";
import {
  AppError,
  currentContext,
  formatTraceparent,
  gatewayProofHeaders,
  isTracing,
  type Logger,
  NotFoundError,
  type Probe,
  probeConnection,
  type SpanHandle,
  startDeadline,
  startSpan,
  UnavailableError,
} from "@comptoir/platform";
import { sectionOf } from "../http/request-target";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Dispatcher } from "undici";
import type { RouteBudgets } from "../rate-limit/rate-limiter";
import {
  ClientBodyError,
  hasBody,
  PayloadTooLargeError,
  RequestBody,
  RESENDABLE_BODY_BYTES,
  readWholeBody,
  smallBodyLength,
} from "./request-body";
import { type CachedResponse, cacheableRequest, type ResponseCache } from "./response-cache";
import { checkReachable, PROBE_AFTER_MS } from "./reachability";
import { ejectInstance, type Instance, pickInstance, type Upstream } from "./upstream";
import type { UpstreamMetrics } from "./upstream.metrics";
import { classifyFailure, type UpstreamFailure } from "./upstream-errors";

/** A service as the gateway routes it: `<prefix>` and `<prefix>/*` go to `upstream`. */
export interface ServiceRoute {
  service: string;
  prefix: string;
  timeoutMs: number;
  upstream: Upstream;
  /** Largest request body: 413 above it, by Content-Length or while streaming. */
  bodyLimitBytes: number;
  /** Every POST/PATCH of the service has one effect per Idempotency-Key: a keyed one may be sent again. */
  idempotencyKeys: boolean;
  /** The rate-limit budgets requests to this route count against (undefined: rate limiting is off). */
  budgets: RouteBudgets | undefined;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The API key's consumer, when the request carried a valid key. */
    apiConsumer: ResolvedApiKey | null;
    /** The instance the request was last sent to (for the access log). */
    upstreamTarget: string | null;
  }
}

export interface ReverseProxy {
  /**
   * Sends the request to an instance of the route's upstream and streams the answer back. `target`
   * replaces the method and path (the gateway's own fetches, e.g. a service's OpenAPI document).
   */
  forward(
    request: FastifyRequest,
    reply: FastifyReply,
    route: ServiceRoute,
    target?: { method: "GET" | "HEAD"; path: string },
  ): Promise<FastifyReply>;
}

/** Methods whose repetition has the same effect: retried on another instance even after being sent. */
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

/** Hop-by-hop headers (RFC 9110 §7.6.1): about one connection, never forwarded either way. */
const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "http2-settings",
];
/**
 * Set by the gateway (or by the HTTP client from the target), never taken from the client as sent.
 * Besides these, every `x-comptoir-*` header (the gateway's word on who is calling) is dropped, and
 * so are the API-key headers (the key is the gateway's business; services get its consumer).
 */
const NOT_FROM_CLIENT = new Set([
  ...API_KEY_HEADERS,
  ...HOP_BY_HOP,
  "host",
  "expect",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
  "x-forwarded-port",
  "x-real-ip",
  "x-request-id",
  "traceparent",
]);
/** The gateway's own request id and trace context (set when the request arrived) stay on the response. */
const NOT_FROM_UPSTREAM = new Set([...HOP_BY_HOP, "x-request-id", "traceparent"]);

/** The header names a `Connection` header lists: hop-by-hop for this connection only. */
function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined || value === "keep-alive" || value === "close") return undefined;
  const tokens = (Array.isArray(value) ? value.join(",") : value).split(",");
  return new Set(tokens.map((t) => t.trim().toLowerCase()).filter(Boolean));
}

/** A proxied attempt's CLIENT span: "POST orders", the instance, the path without its query. */
function startHopSpan(method: string, service: string, instance: Instance, path: string): SpanHandle {
  const url = new URL(instance.url);
  return startSpan(`${method} ${service}`, {
    kind: "client",
    attributes: {
      "http.request.method": method,
      "server.address": url.hostname,
      "server.port": Number(url.port) || 80,
      "url.path": path.split("?", 1)[0]!,
      "comptoir.target": service,
      "comptoir.instance": instance.url,
    },
  });
}

/**
 * The W3C trace context for the upstream: the same trace, with the gateway's own span (the one this
 * request got on arrival) as the parent. No new random id per request: the proxying is that span.
 */
function hopTraceparent(reply: FastifyReply): string | undefined {
  const ctx = currentContext();
  if (ctx) return formatTraceparent(ctx);
  const own = reply.getHeader("traceparent");
  return typeof own === "string" ? own : undefined;
}

const X = "x".charCodeAt(0);

function upstreamRequestHeaders(request: FastifyRequest, reply: FastifyReply): Record<string, string | string[]> {
  const incoming = request.headers;
  const listed = connectionTokens(incoming.connection);
  const headers: Record<string, string | string[]> = {};
  for (const name of Object.keys(incoming)) {
    if (NOT_FROM_CLIENT.has(name) || listed?.has(name)) continue;
    if (name.charCodeAt(0) === X && name.startsWith(INTERNAL_HEADER_PREFIX)) continue;
    const value = incoming[name];
    if (value !== undefined) headers[name] = value;
  }
  // Who is calling, as the gateway established it (Authorization itself goes on unchanged: services verify again).
  // The client's address as the gateway established it (TRUSTED_PROXIES: from X-Forwarded-For).
  headers[IDENTITY_HEADERS.clientIp] = request.ip;
  const consumer = request.apiConsumer;
  if (consumer) {
    headers[IDENTITY_HEADERS.consumer] = consumer.name;
    headers[IDENTITY_HEADERS.tier] = consumer.tier satisfies ApiKeyTier;
  }
  const principal = request.principal;
  if (principal) {
    headers[IDENTITY_HEADERS.userId] = principal.userId;
    headers[IDENTITY_HEADERS.role] = principal.role;
  }
  headers["x-request-id"] = request.id;
  const traceparent = hopTraceparent(reply);
  if (traceparent) headers.traceparent = traceparent;
  // The gateway is the public entry: what clients claim about earlier hops is not trusted.
  headers["x-forwarded-for"] = request.ip;
  headers["x-forwarded-proto"] = request.protocol;
  if (incoming.host) headers["x-forwarded-host"] = incoming.host;
  return headers;
}

/** The upstream's end-to-end response headers (what the client gets, and what the cache keeps). */
function endToEndHeaders(headers: Dispatcher.ResponseData["headers"]): Record<string, string | string[]> {
  const listed = connectionTokens(headers.connection);
  const kept: Record<string, string | string[]> = {};
  for (const name of Object.keys(headers)) {
    if (NOT_FROM_UPSTREAM.has(name) || listed?.has(name)) continue;
    const value = headers[name];
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}

function copyResponseHeaders(headers: Record<string, string | string[]>, reply: FastifyReply): void {
  for (const name of Object.keys(headers)) {
    const value = headers[name]!;
    // The gateway's own Vary (Origin, for CORS) is kept next to the service's.
    if (name === "vary" && reply.hasHeader("vary"))
      reply.header("vary", `${String(reply.getHeader("vary"))}, ${String(value)}`);
    else reply.header(name, value);
  }
}

/** A response from the shared cache, with its `Age` (RFC 9111 §5.1). */
function sendCached(reply: FastifyReply, entry: CachedResponse): FastifyReply {
  reply.code(entry.status);
  copyResponseHeaders(entry.headers, reply);
  reply.header("age", String(Math.floor((Date.now() - entry.storedAt) / 1000)));
  reply.header("x-cache", "HIT");
  return reply.send(entry.body);
}

function payloadTooLarge(route: ServiceRoute): AppError {
  return new AppError("payload_too_large", 413, "Payload too large", {
    detail: `The request body is larger than the ${route.bodyLimitBytes} bytes the ${route.service} service accepts.`,
    extensions: { limitBytes: route.bodyLimitBytes },
  });
}

function hasIdempotencyKey(request: FastifyRequest): boolean {
  const key = request.headers["idempotency-key"];
  return typeof key === "string" ? key !== "" : Array.isArray(key) && key.length > 0;
}

/** A keyed write's small body, read whole before its first attempt (it may be sent more than once). */
async function readBodyOnce(request: FastifyRequest, route: ServiceRoute, length: number): Promise<Buffer> {
  try {
    return await readWholeBody(request.raw, length);
  } catch (error) {
    if (error instanceof PayloadTooLargeError) {
      throw new AppError("bad_request", 400, "Bad request", {
        detail: "The request body is longer than its Content-Length.",
      });
    }
    throw new AppError("client_closed_request", 499, "Client closed request", {
      detail: "The client closed the connection before its request body was read.",
    });
  }
}

function retryAfterSeconds(upstream: Upstream): number {
  return Math.max(1, Math.ceil(upstream.healthCheck.intervalMs / 1000));
}

/**
 * The reverse proxy: picks an instance (balancer over the eligible ones), forwards method, path,
 * query, headers and a streamed body, and streams the response back. A failed connection ejects the
 * instance at once and the request moves on to another one when that is safe: it was never sent, or
 * it is idempotent and its body was not consumed. Failures end as problems: 503 when no instance can
 * take it, 502 when an instance failed after it may have acted, 504 when it did not answer in time.
 */
export function createProxy(deps: {
  dispatcher: Dispatcher;
  metrics: UpstreamMetrics;
  logger: Logger;
  /** The shared cache of public reads (none: every request goes to an instance). */
  cache?: ResponseCache;
  /** The gateway's SERVICE_CREDENTIAL: each request carries its proof (gateway-proof.ts). */
  credential: string;
  /** Probes the instance of a request that waits long (reachability.ts); default a TCP connection. */
  probe?: Probe;
}): ReverseProxy {
  const probe = deps.probe ?? probeConnection;
  async function forward(
    request: FastifyRequest,
    reply: FastifyReply,
    route: ServiceRoute,
    target?: { method: "GET" | "HEAD"; path: string },
  ): Promise<FastifyReply> {
    const { upstream, service, timeoutMs } = route;
    const method = (target?.method ?? request.method) as Dispatcher.HttpMethod;
    const path = target?.path ?? request.raw.url ?? "/";
    // Defence in depth: whatever the routes above decided, a service's /internal/ endpoints are
    // never forwarded from the public side (the path is the normalized one the routes decided on).
    if (sectionOf(path, route.prefix) === "internal") {
      throw new NotFoundError("route_not_found", `No route for ${method} ${path.split("?")[0]}.`);
    }
    const headers = upstreamRequestHeaders(request, reply);
    // What the gateway asserts (the client's address), signed: identity believes it only so.
    Object.assign(
      headers,
      gatewayProofHeaders(deps.credential, { method, path, requestId: request.id, clientIp: request.ip }),
    );
    const withBody = target === undefined && hasBody(request.raw);
    // A POST or PATCH with an Idempotency-Key, to a service that gives such writes one effect per key.
    const keyedWrite = route.idempotencyKeys && (method === "POST" || method === "PATCH") && hasIdempotencyKey(request);
    // Its body, when small, is read whole first, to be sent again if an instance fails with it.
    const wholeLength =
      keyedWrite && withBody
        ? smallBodyLength(request.raw, Math.min(RESENDABLE_BODY_BYTES, route.bodyLimitBytes))
        : undefined;
    // Sending it again to another instance (after it was sent) changes nothing.
    const resendable = IDEMPOTENT.has(method) || (keyedWrite && (!withBody || wholeLength !== undefined));
    const cacheKey = deps.cache && method === "GET" && cacheableRequest(request) ? path : undefined;
    if (cacheKey !== undefined) {
      const hit = deps.cache!.get(cacheKey);
      if (hit) {
        request.upstreamTarget = "cache";
        deps.metrics.countCache(service, "hit");
        return sendCached(reply, hit);
      }
    }

    // An upstream that keeps failing is not tried at all until its circuit lets a probe through.
    const waitMs = upstream.breaker.tryAcquire();
    if (waitMs > 0) {
      throw new UnavailableError(
        `The ${service} service is failing; the gateway stopped sending it requests for a moment (circuit open).`,
        { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), extensions: { service } },
      );
    }
    // What this request says about the upstream's health, reported to the breaker at the end.
    let outcome: "success" | "failure" | "none" = "none";

    // Until the response headers arrive, across attempts: the route's timeout, or the client leaving.
    // (A native timer: undici's own headersTimeout runs on a coarse clock of about a second.)
    const deadline = startDeadline(timeoutMs);
    reply.raw.once("close", () => {
      if (!reply.raw.writableFinished) deadline.abort();
    });

    try {
      const whole = wholeLength === undefined ? undefined : await readBodyOnce(request, route, wholeLength);
      const tried: Instance[] = [];
      let failure: UpstreamFailure | undefined;
      for (let instance = pickInstance(upstream, tried); instance; instance = pickInstance(upstream, tried)) {
        tried.push(instance);
        request.upstreamTarget = instance.url;
        // Streamed to this attempt, unless it was read whole (then each attempt sends it).
        const body = withBody && !whole ? new RequestBody(request.raw, route.bodyLimitBytes) : null;
        let response: Dispatcher.ResponseData;
        // Tracing on: this attempt's CLIENT span, parent of the instance's own request span.
        const hop = isTracing() ? startHopSpan(method, service, instance, path) : undefined;
        if (hop) headers.traceparent = formatTraceparent(hop.context);
        instance.inFlight += 1;
        // This attempt stops waiting when the request's deadline does, or as soon as the instance is
        // found down (a host cut off the network answers nothing: without this the attempt would
        // wait out the route's whole timeout).
        const waiting = new AbortController();
        const stopWaiting = () => waiting.abort();
        deadline.signal.addEventListener("abort", stopWaiting, { once: true });
        const gone = instance.gone.signal;
        gone.addEventListener("abort", stopWaiting, { once: true });
        // Every second while it waits (a probe skipped because one had just found the host there, before
        // a cut, must not leave this attempt waiting out the route's timeout).
        const slow = setInterval(() => checkReachable(probe, upstream, instance), PROBE_AFTER_MS);
        try {
          response = await deps.dispatcher.request({
            origin: instance.url,
            path,
            method,
            headers,
            body: whole ?? body,
            // Between two chunks of the response body, once it started.
            bodyTimeout: timeoutMs,
            signal: waiting.signal,
          });
        } catch (error) {
          clearInterval(slow);
          gone.removeEventListener("abort", stopWaiting);
          instance.inFlight -= 1;
          hop?.fail(error);
          hop?.end();
          if (body?.errored instanceof PayloadTooLargeError) {
            // The rest of the upload drains unread; the client gets its answer on this connection.
            throw payloadTooLarge(route);
          }
          if (gone.aborted && !deadline.signal.aborted) {
            // Found down while this attempt waited: the health checks judged the instance already.
            deps.metrics.countRequest(service, instance, "error");
            if (resendable && !body?.started) continue;
            throw new AppError("bad_gateway", 502, "Bad gateway", {
              detail: `An instance of the ${service} service stopped answering while it handled the request (${(gone.reason as Error).message}); it was not retried because it may already have taken effect.`,
              extensions: { service },
            });
          }
          if (deadline.expired) {
            outcome = "failure";
            deps.metrics.countRequest(service, instance, "timeout");
            throw new AppError("gateway_timeout", 504, "Gateway timeout", {
              detail: `The ${service} service did not answer within ${timeoutMs} ms.`,
              extensions: { service },
            });
          }
          if (deadline.signal.aborted || body?.errored instanceof ClientBodyError) {
            throw new AppError("client_closed_request", 499, "Client closed request", {
              detail: "The client closed the connection before the upstream answered.",
            });
          }
          failure = classifyFailure(error);
          deps.metrics.countRequest(service, instance, "error");
          if (failure.kind === "connection" && !failure.neverSent && body?.started) {
            // The instance closed the connection once the body had started to go out: a service
            // refusing an upload (413 on a body too large for it) does that, and any client can
            // make it happen on purpose. Such a request says nothing certain of the instance's
            // health: it is neither ejected nor counted against its circuit (or anyone could take
            // it down); a crashed instance is found by the next request or the health checks.
            outcome = "none";
            throw new AppError("bad_gateway", 502, "Bad gateway", {
              detail: `The ${service} service closed the connection before the request body was sent (${failure.message}); it was not retried because it may already have taken effect.`,
              extensions: { service },
            });
          }
          outcome = "failure";
          if (failure.kind !== "connection") {
            deps.logger.error({ err: error, service, target: instance.url }, "upstream request failed");
            throw new AppError("bad_gateway", 502, "Bad gateway", {
              detail: `The request to the ${service} service failed.`,
              extensions: { service },
            });
          }
          ejectInstance(upstream, instance, failure.message);
          deps.logger.warn({ service, target: instance.url, error: failure.message }, "upstream instance unreachable");
          // Safe to send again: it never left, or repeating it changes nothing and its body is still unread.
          if (failure.neverSent || (resendable && !body?.started)) continue;
          throw new AppError("bad_gateway", 502, "Bad gateway", {
            detail: `An instance of the ${service} service failed while handling the request (${failure.message}); it was not retried because it may already have taken effect.`,
            extensions: { service },
          });
        }
        clearInterval(slow);
        gone.removeEventListener("abort", stopWaiting);
        const status = response.statusCode;
        if (hop) {
          hop.setAttributes({ "http.response.status_code": status });
          if (status >= 500) hop.failWith(`HTTP ${status}`);
          hop.end();
        }
        outcome = status === 502 || status === 503 || status === 504 ? "failure" : "success";
        return relay(response, reply, method, route, instance, cacheKey);
      }

      const retryAfter = { retryAfterSeconds: retryAfterSeconds(upstream), extensions: { service } };
      if (!failure) throw new UnavailableError(`No instance of the ${service} service is available.`, retryAfter);
      throw new UnavailableError(
        `No instance of the ${service} service could be reached (last error: ${failure.message}).`,
        retryAfter,
      );
    } finally {
      deadline.clear();
      if (outcome === "success") upstream.breaker.success();
      else if (outcome === "failure") upstream.breaker.failure();
      else upstream.breaker.release();
    }
  }

  /** Streams an upstream response back to the client: status, end-to-end headers, body. */
  async function relay(
    response: Dispatcher.ResponseData,
    reply: FastifyReply,
    method: string,
    route: ServiceRoute,
    instance: Instance,
    cacheKey: string | undefined,
  ): Promise<FastifyReply> {
    const { statusCode, body } = response;
    deps.metrics.countRequest(route.service, instance, statusCode);
    body.once("close", () => {
      instance.inFlight -= 1;
    });
    if (statusCode < 200 || statusCode > 599) {
      body.destroy();
      throw new AppError("bad_gateway", 502, "Bad gateway", {
        detail: `The ${route.service} service answered with an invalid status ${statusCode}.`,
        extensions: { service: route.service },
      });
    }
    reply.code(statusCode);
    const headers = endToEndHeaders(response.headers);
    copyResponseHeaders(headers, reply);
    if (method === "HEAD" || statusCode === 204 || statusCode === 304) {
      await body.dump();
      return reply.send();
    }
    if (cacheKey !== undefined) {
      const lifetime = deps.cache!.lifetimeOf(statusCode, headers);
      if (lifetime > 0) {
        // Small by the cache's rules (known length under the entry limit): read whole, kept, sent.
        const content = Buffer.from(await body.arrayBuffer());
        deps.cache!.set(cacheKey, { status: statusCode, headers, body: content }, lifetime);
        deps.metrics.countCache(route.service, "miss");
        return reply.header("x-cache", "MISS").send(content);
      }
    }
    return reply.send(body);
  }

  return { forward };
}
