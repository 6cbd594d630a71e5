import { API_KEY_HEADERS, type ApiKeyTier } from "@comptoir/contracts";
import { AppError, type App, ForbiddenError, type Logger, NotFoundError, UnauthorizedError } from "@comptoir/platform";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ApiKeyResolver } from "../auth/api-keys";
import type { GatewayMetrics } from "../gateway.metrics";
import { logAccess } from "../http/access-log";
import { sectionOf } from "../http/request-target";
import type { RateLimiter } from "../rate-limit/rate-limiter";
import type { ReverseProxy, ServiceRoute } from "../upstreams/proxy";

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
/** Image paths: plain segments of safe characters (no `..`, no escapes, no query tricks). */
const IMAGE_PATH = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const [KEY_HEADER, ALT_KEY_HEADER] = API_KEY_HEADERS;

export interface ProxyRouteDeps {
  routes: readonly ServiceRoute[];
  proxy: ReverseProxy;
  apiKeys: ApiKeyResolver;
  rateLimiter: RateLimiter | undefined;
  /** API-key tiers whose budget is per client under the key (RateLimitConfig.clientTiers). */
  clientTiers: ReadonlySet<ApiKeyTier>;
  metrics: GatewayMetrics;
  logger: Logger;
}

/**
 * `<prefix>` and `<prefix>/*`, every method, for each service, on the normalized target (see
 * http/request-target.ts: routing and every decision here read that one value). Before a request is proxied:
 * body size by Content-Length (413), `/internal/` paths (404: never public), `/admin/` paths (a
 * token with `events:admin`: 401/403; the service checks again), the API key (401 when unknown or
 * revoked), then the rate limit (429). Bearer tokens were already verified by the app's auth hook
 * (401 `invalid_token`). The routes live in their own scope where no content-type parser reads the
 * body, so bodies stream through untouched. One access-log line per request (the app's own
 * per-request line is silenced here). Unknown prefixes fall to the platform's 404 `route_not_found`.
 */
export function proxyRoutes(app: App, deps: ProxyRouteDeps): void {
  const { apiKeys, rateLimiter, metrics } = deps;

  async function admit(request: FastifyRequest, reply: FastifyReply, route: ServiceRoute): Promise<void> {
    const length = request.headers["content-length"];
    if (length !== undefined && Number(length) > route.bodyLimitBytes) {
      throw new AppError("payload_too_large", 413, "Payload too large", {
        detail: `The request body is larger than the ${route.bodyLimitBytes} bytes the ${route.service} service accepts.`,
        extensions: { limitBytes: route.bodyLimitBytes },
      });
    }

    const section = sectionOf(request.url, route.prefix);
    if (section === "internal") {
      throw new NotFoundError("route_not_found", `No route for ${request.method} ${request.url.split("?")[0]}.`);
    }
    if (section === "admin") {
      const principal = request.principal;
      if (!principal) {
        metrics.authFailure("admin_without_token");
        throw new UnauthorizedError("Admin endpoints need an access token.");
      }
      if (!principal.permissions.includes("events:admin")) {
        metrics.authFailure("admin_forbidden");
        throw new ForbiddenError("Admin endpoints need the permission events:admin.");
      }
    }

    const budgets = rateLimiter ? route.budgets : undefined;
    const principal = request.principal;
    const headers = request.headers;
    const key = headers[KEY_HEADER] ?? headers[ALT_KEY_HEADER];
    if (key !== undefined) {
      // A key identity must be asked about is paid for by the client first, as if it had none: a
      // flood of made-up keys is limited like any anonymous traffic and never reaches identity
      // beyond that budget. A key already known valid is not charged twice.
      const known = typeof key === "string" && apiKeys.knownValid(key);
      if (budgets && !known) {
        if (principal) await rateLimiter!.check(reply, budgets.user, principal.userId);
        else await rateLimiter!.check(reply, budgets.anonymous, request.ip);
      }
      const consumer = typeof key === "string" ? await apiKeys.lookup(key) : null;
      if (!consumer) {
        metrics.authFailure("invalid_api_key");
        throw new UnauthorizedError("The API key is unknown or revoked.", "invalid_api_key");
      }
      request.apiConsumer = consumer;
      if (!budgets) return;
      // A public key (a shop's, an app's): each client under it has the tier's budget of its own.
      const subject = deps.clientTiers.has(consumer.tier)
        ? `${consumer.id}:${principal ? `user:${principal.userId}` : `ip:${request.ip}`}`
        : consumer.id;
      return rateLimiter!.check(reply, budgets.tiers[consumer.tier], subject);
    }

    if (!budgets) return;
    if (principal) return rateLimiter!.check(reply, budgets.user, principal.userId);
    return rateLimiter!.check(reply, budgets.anonymous, request.ip);
  }

  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_request, _payload, done) => done(null));
    scope.addHook("onResponse", (request, reply, done) => {
      logAccess(deps.logger, request, reply);
      done();
    });
    scope.addHook("onError", (request, _reply, error, done) => {
      if (!(error instanceof AppError)) deps.logger.error({ err: error, url: request.url }, "request failed");
      done();
    });
    // Product images: `/images/<service>/<path>` is the service's `/api/<service>/images/<service>/<path>`,
    // read-only. Not rate-limited (a page of products loads dozens; they are cached for a year by
    // the browser, the service sets `Cache-Control: immutable`); no `..` and no `/internal/` tricks.
    const byService = new Map(deps.routes.map((route) => [route.service, route]));
    scope.route({
      method: ["GET", "HEAD"],
      url: "/images/:service/*",
      exposeHeadRoute: false,
      logLevel: "silent",
      schema: { hide: true },
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const { service, "*": rest } = request.params as { service: string; "*": string };
        const route = byService.get(service);
        if (!route || !IMAGE_PATH.test(rest)) {
          throw new NotFoundError("route_not_found", `No image at ${request.url.split("?")[0]}.`);
        }
        return deps.proxy.forward(request, reply, route, {
          method: request.method as "GET" | "HEAD",
          path: `${route.prefix}/images/${service}/${rest}`,
        });
      },
    });

    for (const route of deps.routes) {
      const handler = async (request: FastifyRequest, reply: FastifyReply) => {
        await admit(request, reply, route);
        return deps.proxy.forward(request, reply, route);
      };
      for (const url of [route.prefix, `${route.prefix}/*`]) {
        scope.route({
          method: METHODS,
          url,
          exposeHeadRoute: false,
          // The access log below replaces the app's per-request line.
          logLevel: "silent",
          schema: { hide: true },
          handler,
        });
      }
    }
  });
}
