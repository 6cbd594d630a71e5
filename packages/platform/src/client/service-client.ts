import { setMaxListeners } from "node:events";
import { BulkheadRejectedError, bulkhead, ExponentialBackoff, handleWhen, retry } from "cockatiel";
import { type Dispatcher, request } from "undici";
import type { ServiceTokens } from "../auth/service-tokens";
import { internalAgent } from "./agent";
import { type Probe, probeConnection } from "./probe";
import { currentContext } from "../context/request-context";
import { formatTraceparent } from "../context/traceparent";
import { isTracing, type SpanHandle, startSpan, untracedSpan } from "../tracing/spans";
import { UnavailableError } from "../errors/app-error";
import { startDeadline } from "../time/deadline";

export interface ServiceClientOptions {
  /** The service called, for messages and metrics (e.g. `catalog`). */
  target: string;
  /**
   * One or more instances (a list, or one comma-separated string as configured); calls go
   * round-robin over those whose circuit is not open, and a retry goes to an instance this call has
   * not tried yet (when there is one).
   */
  baseUrls: string | readonly string[];
  /** Per attempt, connection to last byte. */
  timeoutMs?: number;
  /**
   * When an attempt has waited this long (default: a third of timeoutMs, at most 1 s), its instance is
   * probed with a new connection (one probe at a time per instance); if none opens, its host is cut
   * off: every call waiting on it stops, as when a call fails to connect to it.
   */
  probeAfterMs?: number;
  /** How the instance is probed (default: a TCP connection within 1 s). */
  probe?: Probe;
  /** Retries after the first attempt, for idempotent requests only. */
  maxRetries?: number;
  /**
   * Per instance: consecutive failures that open its circuit (default 5), and how long it stays open
   * before one trial call may go through (default 1000 ms: an instance back from a restart, or a
   * database unlocked, is called again within about a second).
   */
  breaker?: { consecutiveFailures?: number; halfOpenAfterMs?: number };
  /** At most this many calls in flight to the target, and this many queued (a bulkhead). */
  concurrency?: { limit?: number; queue?: number };
  dispatcher?: Dispatcher;
  /**
   * The caller's own service token, sent as `Authorization: Bearer` on every attempt (unless the
   * request sets its own `authorization`, e.g. a user's token passed along). A 401 from the target
   * drops the token and the call is made once more with a fresh one.
   */
  auth?: ServiceTokens;
  /**
   * Typed calls (`callEndpoint`) check each success answer against its contract and throw on a
   * mismatch. Default: under tests (NODE_ENV=test), where a provider drifting from its contract
   * should fail loudly; cheap for the small payloads services exchange.
   */
  checkAnswers?: boolean;
}

/**
 * For calls a person waits for (cart reading catalog and inventory on every view): short timeouts
 * and one retry, which goes to another of the target's instances (a refused connection, or a read
 * that timed out), and a circuit per instance that gives a failed instance a trial call a second
 * later.
 */
export const INTERACTIVE_CALLS = {
  timeoutMs: 1_500,
  maxRetries: 1,
  breaker: { consecutiveFailures: 5, halfOpenAfterMs: 1_000 },
} as const satisfies Partial<ServiceClientOptions>;

export interface ServiceRequest {
  method: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
  /** Makes a POST/PATCH safe to retry: the callee promises one effect per key. */
  idempotencyKey?: string;
  /** The callee promises that this POST/PATCH has one effect however often it is sent (retried like a GET). */
  idempotent?: boolean;
  /**
   * 5xx statuses that are the callee's considered answer for this call, returned like a 4xx: not
   * retried, not counted against the circuit (e.g. payments' 504 `payment_provider_timeout`, which
   * says that payment failed, not that payments is down).
   */
  answerStatuses?: number[];
}

export interface ServiceResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

/** A failure worth another attempt: network error, timeout, or a 5xx from the callee. */
class TransientError extends Error {
  constructor(
    message: string,
    readonly neverSent: boolean,
  ) {
    super(message);
  }
}

/** Every instance's circuit is open: nothing was sent. */
class CircuitOpenError extends Error {
  constructor(readonly retryAfterMs: number) {
    super("circuit open");
  }
}

/**
 * One instance and its circuit: closed; open after `consecutiveFailures` failures in a row; after
 * `halfOpenAfterMs`, one trial call at a time goes through (half-open) — a success closes it, a
 * failure opens it again for another `halfOpenAfterMs`.
 */
interface Instance {
  base: string;
  failures: number;
  openedAt: number | null;
  probing: boolean;
  /**
   * Aborted when a call finds the instance unreachable (no connection opens: its host is cut off or
   * gone): the calls waiting on its open connections will never be answered, so they stop waiting
   * and are retried elsewhere when that is safe. Replaced at once for the calls to come.
   */
  gone: AbortController;
  /** The probe under way (a slow call asked whether the instance's host is still there), if any. */
  checking?: Promise<void>;
  /** When a probe last found the host there: slow calls do not probe again within probeAfterMs. */
  reachableAt: number;
  /**
   * Since its host was found unreachable: no call goes to it — not even its circuit's trial call,
   * which would wait ~2 s to learn the same — until a probe, every halfOpenAfterMs, connects again.
   */
  unreachable: boolean;
  /** When it was last probed while unreachable. */
  probedAt: number;
}

const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE"]);
const NEVER_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_CONNECT_TIMEOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
/** No connection opens, and none will soon: the instance's host is cut off (not merely its process gone). */
const UNREACHABLE = new Set(["UND_ERR_CONNECT_TIMEOUT", "EHOSTUNREACH", "ENETUNREACH"]);

export interface ServiceClient {
  readonly target: string;
  /** Whether typed calls check success answers against their contract (ServiceClientOptions.checkAnswers). */
  readonly checkAnswers?: boolean;
  request<T = unknown>(req: ServiceRequest): Promise<ServiceResponse<T>>;
  get<T = unknown>(path: string, query?: ServiceRequest["query"]): Promise<ServiceResponse<T>>;
}

/**
 * A client for calling another Comptoir service: timeouts on every attempt, retries with
 * exponential backoff and jitter for idempotent calls (or any call refused before it was sent) —
 * each retry on another instance when there is one —, a circuit breaker per instance (a dead or
 * stuck instance is skipped while the others serve; it gets a trial call a second after), a
 * bulkhead per target, and the request id and trace context of the current
 * request passed along. When the target cannot answer, it throws a 503 UnavailableError that
 * names it: callers get a clear problem, never a hang.
 */
export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  const baseUrls = (typeof options.baseUrls === "string" ? options.baseUrls.split(",") : options.baseUrls)
    .map((url) => url.trim())
    .filter(Boolean);
  if (baseUrls.length === 0) throw new Error(`no address configured for service ${options.target}`);
  const timeoutMs = options.timeoutMs ?? 2_000;
  const probeAfterMs = options.probeAfterMs ?? Math.min(1_000, Math.round(timeoutMs / 3));
  const probe = options.probe ?? probeConnection;
  const halfOpenAfter = options.breaker?.halfOpenAfterMs ?? 1_000;
  const consecutiveFailures = options.breaker?.consecutiveFailures ?? 5;
  const dispatcher = options.dispatcher ?? internalAgent;
  const instances: Instance[] = baseUrls.map((base) => ({
    base,
    failures: 0,
    openedAt: null,
    probing: false,
    gone: goneSignal(),
    reachableAt: 0,
    unreachable: false,
    probedAt: 0,
  }));
  const limiter = bulkhead(options.concurrency?.limit ?? 64, options.concurrency?.queue ?? 256);
  const backoff = new ExponentialBackoff({ initialDelay: 50, maxDelay: 1_000 });
  const retryWhen = (mayResend: boolean) =>
    retry(
      handleWhen((e) => e instanceof TransientError && (mayResend || e.neverSent)),
      { maxAttempts: options.maxRetries ?? 2, backoff },
    );
  // A call with no effect, or one effect per key, may be sent again; any other only if it never left.
  const retryIdempotent = retryWhen(true);
  const retryNeverSent = retryWhen(false);
  let next = 0;

  /** Whether a call may go to this instance now; a half-open one takes one trial call at a time. */
  const usable = (i: Instance, now: number) =>
    !i.unreachable && (i.openedAt === null || (now - i.openedAt >= halfOpenAfter && !i.probing));

  /**
   * The instance for an attempt: round-robin over the usable ones, preferring those this call has
   * not tried (a connection refused, a timeout: the retry goes elsewhere). When none is usable and
   * one found unreachable is being probed again (its host may be back: a link restored, or this
   * caller's own), the call waits for that probe — a connect timeout at most — rather than being
   * refused while the answer is on its way. CircuitOpenError when every instance's circuit is open.
   */
  async function pick(tried: Set<Instance>): Promise<Instance> {
    const found = choose(tried);
    if (found) return found;
    const probes = instances.flatMap((i) => (i.unreachable && i.checking ? [i.checking] : []));
    if (probes.length > 0) {
      await Promise.race(probes);
      const back = choose(tried);
      if (back) return back;
    }
    const now = Date.now();
    const reopens = Math.min(...instances.map((i) => (i.openedAt ?? now) + halfOpenAfter - now));
    throw new CircuitOpenError(Math.max(reopens, 0));
  }

  function choose(tried: Set<Instance>): Instance | undefined {
    const now = Date.now();
    for (const i of instances) if (i.unreachable) reprobe(i, now);
    const start = next++;
    let fallback: Instance | undefined;
    for (let k = 0; k < instances.length; k++) {
      const i = instances[(start + k) % instances.length]!;
      if (!usable(i, now)) continue;
      if (!tried.has(i)) return i;
      fallback ??= i;
    }
    return fallback;
  }

  /**
   * The instance's host cannot be reached (a call could not connect, or a probe): its circuit opens
   * and every call waiting on it stops now (`gone` is aborted, and replaced for the calls to come).
   */
  function markGone(instance: Instance, seen: AbortController): void {
    if (instance.gone !== seen) return; // already done, since the caller looked
    instance.gone = goneSignal();
    instance.openedAt = Date.now();
    instance.unreachable = true;
    instance.probedAt = instance.openedAt;
    seen.abort();
  }

  /**
   * An unreachable instance is probed again (at most every halfOpenAfterMs, one probe at a time, in
   * the background of the calls that look for an instance): once a connection opens, its circuit's
   * trial call may go to it.
   */
  function reprobe(instance: Instance, now: number): void {
    if (instance.checking || now - instance.probedAt < halfOpenAfter) return;
    instance.probedAt = now;
    instance.checking = probe(instance.base)
      .then((result) => {
        if (result !== "unreachable") instance.unreachable = false;
      })
      .catch(() => {})
      .finally(() => {
        instance.checking = undefined;
      });
  }

  /**
   * A call has waited probeAfterMs on `instance`: is its host still there? One probe at a time per
   * instance, and none again soon after one found it there (a slow instance is not probed by every
   * slow call).
   */
  function checkReachable(instance: Instance, seen: AbortController): void {
    if (instance.checking || Date.now() - instance.reachableAt < probeAfterMs || seen.signal.aborted) return;
    instance.checking = probe(instance.base)
      .then((result) => {
        if (result === "unreachable") markGone(instance, seen);
        else instance.reachableAt = Date.now();
      })
      .catch(() => {})
      .finally(() => {
        instance.checking = undefined;
      });
  }

  /** Runs one attempt on `instance` under its circuit. */
  async function guarded<T>(instance: Instance, call: () => Promise<T>): Promise<T> {
    const trial = instance.openedAt !== null;
    if (trial) instance.probing = true;
    try {
      const result = await call();
      instance.failures = 0;
      instance.openedAt = null;
      return result;
    } catch (error) {
      instance.failures++;
      if (trial || instance.failures >= consecutiveFailures) instance.openedAt = Date.now();
      throw error;
    } finally {
      if (trial) instance.probing = false;
    }
  }

  async function attempt<T>(
    req: ServiceRequest,
    token: string | undefined,
    instance: Instance,
  ): Promise<ServiceResponse<T>> {
    const base = instance.base;
    const url = new URL(req.path, base);
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const ctx = currentContext();
    const headers: Record<string, string> = { accept: "application/json", ...req.headers };
    if (req.body !== undefined) headers["content-type"] = "application/json";
    if (req.idempotencyKey) headers["idempotency-key"] = req.idempotencyKey;
    if (token) headers.authorization = `Bearer ${token}`;
    // This attempt's CLIENT span (when tracing is on and within a traced request): the callee's
    // request is its child. Outside any request (a background job) the call starts no trace.
    const span = ctx ? startClientSpan(options.target, req, url, base) : undefined;
    if (ctx) {
      headers["x-request-id"] = ctx.requestId;
      headers.traceparent = formatTraceparent(span!.context);
    }
    const deadline = startDeadline(timeoutMs);
    // Stops waiting at the deadline, or as soon as another call finds the instance unreachable.
    const goneController = instance.gone;
    const gone = goneController.signal;
    const stopWaiting = () => deadline.abort();
    gone.addEventListener("abort", stopWaiting, { once: true });
    // Every probeAfterMs while it waits: a probe skipped (one had just found the host there, before a
    // cut) must not leave this call waiting out its whole timeout.
    const slow = setInterval(() => checkReachable(instance, goneController), probeAfterMs);
    let res: Dispatcher.ResponseData;
    let text: string;
    try {
      res = await request(url, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: deadline.signal,
        dispatcher,
      });
      text = await res.body.text();
    } catch (error) {
      const code = (error as { code?: string }).code ?? "";
      const reason = deadline.expired
        ? `no answer within ${timeoutMs} ms`
        : gone.aborted
          ? "unreachable (no new connection to it opens)"
          : code || (error as Error).message;
      // Its host is gone: its circuit opens, and every call waiting on it stops now.
      if (UNREACHABLE.has(code)) markGone(instance, goneController);
      const failure = new TransientError(
        `${options.target} at ${base}: ${reason}`,
        !deadline.expired && NEVER_SENT.has(code),
      );
      span?.fail(failure);
      span?.end();
      throw failure;
    } finally {
      clearInterval(slow);
      gone.removeEventListener("abort", stopWaiting);
      deadline.clear();
    }
    if (span) {
      span.setAttributes({ "http.response.status_code": res.statusCode });
      if (res.statusCode >= 500) span.failWith(`HTTP ${res.statusCode}`);
      span.end();
    }
    if (res.statusCode >= 500 && !req.answerStatuses?.includes(res.statusCode)) {
      throw new TransientError(`${options.target} at ${base} answered ${res.statusCode}`, false);
    }
    let body: unknown = text;
    if (text && String(res.headers["content-type"] ?? "").includes("json")) body = JSON.parse(text);
    return { status: res.statusCode, headers: res.headers, body: body as T };
  }

  async function send<T>(req: ServiceRequest): Promise<ServiceResponse<T>> {
    const retryPolicy =
      IDEMPOTENT.has(req.method) || req.idempotencyKey || req.idempotent ? retryIdempotent : retryNeverSent;
    const auth = hasAuthorization(req) ? undefined : options.auth;
    // The token is read per attempt, outside the breaker: identity being down is not the target's fault.
    let used: string | undefined;
    const run = () => {
      const tried = new Set<Instance>();
      return limiter.execute(() =>
        retryPolicy.execute(async () => {
          used = await auth?.token();
          const instance = await pick(tried);
          tried.add(instance);
          return guarded(instance, () => attempt<T>(req, used, instance));
        }),
      );
    };
    try {
      const response = await run();
      // A 401 is answered before the target acts, so even a POST may be sent again: the token may have
      // been signed by a key the target does not know yet, or have expired in transit.
      if (response.status !== 401 || !auth || !used) return response;
      auth.invalidate(used);
      return await run();
    } catch (error) {
      if (error instanceof CircuitOpenError) {
        throw new UnavailableError(
          `The ${options.target} service is unavailable (circuit open after repeated failures).`,
          {
            retryAfterSeconds: Math.max(1, Math.ceil(error.retryAfterMs / 1000)),
            extensions: { dependency: options.target },
          },
        );
      }
      if (error instanceof BulkheadRejectedError) {
        throw new UnavailableError(`The ${options.target} service is saturated; try again shortly.`, {
          retryAfterSeconds: 1,
          extensions: { dependency: options.target },
        });
      }
      if (error instanceof TransientError) {
        throw new UnavailableError(`The ${options.target} service is unavailable: ${error.message}.`, {
          retryAfterSeconds: 1,
          extensions: { dependency: options.target },
          cause: error,
        });
      }
      throw error;
    }
  }

  return {
    target: options.target,
    checkAnswers: options.checkAnswers ?? process.env.NODE_ENV === "test",
    request: send,
    get: (path, query) => send({ method: "GET", path, ...(query ? { query } : {}) }),
  };
}

/** An instance's `gone`: every call waiting on the instance listens to it (up to the bulkhead's limit). */
function goneSignal(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

function hasAuthorization(req: ServiceRequest): boolean {
  return Object.keys(req.headers ?? {}).some((name) => name.toLowerCase() === "authorization");
}

/** A call's CLIENT span: "GET orders", with the method, the instance and the path (no query: it may carry ids). */
function startClientSpan(target: string, req: ServiceRequest, url: URL, base: string): SpanHandle {
  if (!isTracing()) return untracedSpan();
  return startSpan(`${req.method} ${target}`, {
    kind: "client",
    attributes: {
      "http.request.method": req.method,
      "server.address": url.hostname,
      "server.port": Number(url.port) || (url.protocol === "https:" ? 443 : 80),
      "url.path": url.pathname,
      "comptoir.target": target,
      "comptoir.instance": base,
    },
  });
}
