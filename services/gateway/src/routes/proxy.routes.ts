import type { App } from "@comptoir/platform";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ReverseProxy, ServiceRoute } from "../upstreams/proxy";

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/**
 * `<prefix>` and `<prefix>/*`, every method, for each service: proxied as they are. The routes live
 * in their own scope where no content-type parser reads the body, so bodies stream through
 * untouched (any type, any size). Unknown prefixes fall to the platform's 404 `route_not_found`.
 */
export function proxyRoutes(app: App, deps: { routes: readonly ServiceRoute[]; proxy: ReverseProxy }): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_request, _payload, done) => done(null));
    for (const route of deps.routes) {
      const handler = (request: FastifyRequest, reply: FastifyReply) => deps.proxy.forward(request, reply, route);
      for (const url of [route.prefix, `${route.prefix}/*`]) {
        scope.route({ method: METHODS, url, exposeHeadRoute: false, schema: { hide: true }, handler });
      }
    }
  });
}
