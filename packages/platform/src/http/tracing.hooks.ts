import type { FastifyRequest } from "fastify";
import type { TraceParent } from "../context/traceparent";
import { isTracing, type SpanHandle, startSpan, untracedSpan } from "../tracing/spans";

const SPAN = Symbol("comptoir.span");

type Traced = FastifyRequest & { [SPAN]?: SpanHandle };

/** Probes and scrapes are not traced: a trace every few seconds per instance says nothing. */
const UNTRACED = /^\/(health|metrics)(\/|$)/;

/**
 * The SERVER span of an incoming request, child of the caller's `traceparent` (or a new trace),
 * named after its route ("POST /api/orders/checkout"): ended in the app's onResponse hook (or when the
 * client goes away). Tracing off, or a probe: no span, only the ids the request context needs.
 */
export function startServerSpan(request: FastifyRequest, parent: TraceParent | undefined): SpanHandle {
  const route = request.routeOptions.url;
  const path = request.url.split("?", 1)[0]!;
  if (!isTracing() || UNTRACED.test(path)) return untracedSpan(parent ?? null);
  const span = startSpan(`${request.method} ${route ?? "unknown route"}`, {
    kind: "server",
    parent: parent ?? null,
    attributes: {
      "http.request.method": request.method,
      "url.path": path,
      ...(route && { "http.route": route }),
      "client.address": request.ip,
      "comptoir.request_id": request.id,
    },
  });
  (request as Traced)[SPAN] = span;
  return span;
}

export function serverSpanOf(request: FastifyRequest): SpanHandle | undefined {
  return (request as Traced)[SPAN];
}
