import { problemTypeUri, sendProblem } from "@comptoir/platform";
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import type { CorsConfig } from "../gateway.config";

/** API responses are data, never a document: nothing may load, frame or submit from them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/**
 * /docs (Swagger UI): its own script, style and fetches (the OpenAPI documents and try-it-out calls)
 * only. The one inline style Swagger UI writes, its logo's SVG `<style>`, is allowed by its hash.
 */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='; " +
  "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const HSTS = "max-age=31536000; includeSubDomains";

/** Response headers a browser script may read across origins. */
const EXPOSED = [
  "x-request-id",
  "traceparent",
  "retry-after",
  "ratelimit-limit",
  "ratelimit-remaining",
  "ratelimit-reset",
  "ratelimit-policy",
  "location",
  "etag",
].join(", ");
const METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

/**
 * Every response: security headers (nosniff, no framing, no referrer, a CSP that forbids everything
 * on API responses and allows /docs its own script, HSTS when the request came over HTTPS), and CORS
 * for the configured origins — preflights (OPTIONS with Origin and Access-Control-Request-Method)
 * are answered here and never reach a service: 204 for an allowed origin, 403 otherwise. With no
 * origins configured the API is same-origin only. One synchronous hook: set once, before anything
 * else can fail, so error responses carry the headers too.
 */
export function installEdgeHooks(app: FastifyInstance, cors: CorsConfig): void {
  const anyOrigin = cors.origins.includes("*");
  const origins = new Set(cors.origins);
  const varyOnOrigin = origins.size > 0 && !anyOrigin;
  const allowHeaders = cors.allowedHeaders.join(", ");
  const maxAge = String(cors.maxAgeSeconds);

  function allowedOrigin(origin: string | undefined): string | undefined {
    if (origin === undefined || origins.size === 0) return undefined;
    if (anyOrigin) return "*";
    return origins.has(origin) ? origin : undefined;
  }

  app.addHook("onRequest", (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    reply.header("x-content-type-options", "nosniff");
    reply.header("x-frame-options", "DENY");
    reply.header("referrer-policy", "no-referrer");
    const url = request.url;
    reply.header(
      "content-security-policy",
      url.startsWith("/docs") && (url.length === 5 || url[5] === "/" || url[5] === "?") ? DOCS_CSP : API_CSP,
    );
    if (request.protocol === "https" || request.headers["x-forwarded-proto"] === "https") {
      reply.header("strict-transport-security", HSTS);
    }

    const origin = request.headers.origin;
    if (varyOnOrigin) reply.header("vary", "Origin");
    if (origin === undefined) return done();
    const allowed = allowedOrigin(origin);
    if (request.method === "OPTIONS" && request.headers["access-control-request-method"] !== undefined) {
      if (!allowed) {
        reply.header("vary", "Origin");
        sendProblem(reply, {
          type: problemTypeUri("origin_not_allowed"),
          title: "Forbidden",
          status: 403,
          detail: `Cross-origin requests from ${origin} are not allowed.`,
          instance: request.url,
          requestId: request.id,
          code: "origin_not_allowed",
        });
        return;
      }
      reply.header("access-control-allow-origin", allowed);
      reply.header("access-control-allow-methods", METHODS);
      reply.header("access-control-allow-headers", allowHeaders);
      reply.header("access-control-max-age", maxAge);
      reply.code(204).send();
      return;
    }
    if (allowed) {
      reply.header("access-control-allow-origin", allowed);
      reply.header("access-control-expose-headers", EXPOSED);
    }
    done();
  });
}
