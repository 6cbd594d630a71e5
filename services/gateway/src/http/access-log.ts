import { currentContext, type Logger } from "@comptoir/platform";
import type { FastifyReply, FastifyRequest } from "fastify";

/** The trace id of the request: from the async context, or from the traceparent the gateway set. */
function traceIdOf(reply: FastifyReply): string | undefined {
  const ctx = currentContext();
  if (ctx) return ctx.traceId;
  const traceparent = reply.getHeader("traceparent");
  return typeof traceparent === "string" ? traceparent.slice(3, 35) : undefined;
}

/**
 * One JSON line per proxied request: method, route (the service prefix), path (without the query,
 * which may carry secrets), status, duration, consumer (the API key's consumer name, else the
 * user id, else "anonymous"), the upstream instance it went to, request id and trace id. Never a
 * header value: no Authorization, no API key.
 */
export function logAccess(logger: Logger, request: FastifyRequest, reply: FastifyReply): void {
  const url = request.url;
  const q = url.indexOf("?");
  const status = reply.statusCode;
  const fields = {
    method: request.method,
    route: routePrefix(request),
    path: q === -1 ? url : url.slice(0, q),
    status,
    durationMs: Math.round(reply.elapsedTime * 10) / 10,
    consumer: request.apiConsumer?.name ?? request.principal?.userId ?? "anonymous",
    upstream: request.upstreamTarget,
    requestId: request.id,
    traceId: traceIdOf(reply),
  };
  if (status >= 500) logger.error(fields, "access");
  else logger.info(fields, "access");
}

function routePrefix(request: FastifyRequest): string {
  const route = request.routeOptions.url ?? "";
  return route.endsWith("/*") ? route.slice(0, -2) : route;
}
