import swaggerUi from "@fastify/swagger-ui";
import { type App, NotFoundError, Type, UnavailableError } from "@comptoir/platform";
import { sectionOf } from "../http/request-target";
import type { ServiceRoute } from "../upstreams/proxy";

/**
 * A service's OpenAPI document as the public may see it: without its `/internal/` operations, which
 * the gateway never routes (they are for other services, and naming them helps only an attacker).
 */
export function publicDocument(document: unknown, prefix: string): unknown {
  const doc = document as { paths?: Record<string, unknown>; tags?: { name?: unknown }[] } | undefined;
  if (!doc || typeof doc !== "object" || !doc.paths || typeof doc.paths !== "object") return document;
  const paths = Object.fromEntries(
    Object.entries(doc.paths).filter(([path]) => sectionOf(path, prefix) !== "internal"),
  );
  const tags = Array.isArray(doc.tags) ? doc.tags.filter((t) => t?.name !== "internal") : undefined;
  return { ...doc, paths, ...(tags ? { tags } : {}) };
}

/**
 * `/docs`: Swagger UI (@fastify/swagger-ui, its assets served from `/docs/static/`, no CDN) on one
 * page listing every service: its top bar switches between the documents at
 * `/docs/<service>/openapi.json`, each fetched from an instance of the service with its internal
 * operations left out. Try-it-out goes through the gateway (the documents' server is "/"). The page
 * has no inline script or style, so the edge hooks' DOCS_CSP (script-src 'self') holds.
 */
export async function docsRoutes(
  app: App,
  deps: {
    routes: readonly ServiceRoute[];
    /** A service's own /openapi.json, from one of its instances: status and parsed body. */
    fetchDocument: (route: ServiceRoute) => Promise<{ statusCode: number; body: unknown }>;
  },
): Promise<void> {
  const byService = new Map(deps.routes.map((r) => [r.service, r]));

  // Swagger UI also serves the host's own document at /docs/json and /docs/yaml: the gateway's is
  // not public (the page lists the services'), so those answer as any unknown path does.
  app.addHook("onRoute", (route) => {
    if (route.url === "/docs/json" || route.url === "/docs/yaml") {
      route.handler = (_request, reply) => reply.callNotFound();
    }
  });
  await app.register(swaggerUi, {
    routePrefix: "/docs",
    uiConfig: {
      urls: deps.routes.map((r) => ({ name: r.service, url: `/docs/${encodeURIComponent(r.service)}/openapi.json` })),
      deepLinking: true,
      filter: true,
    },
    theme: { title: "Comptoir API" },
  });

  app.get(
    "/docs/:service/openapi.json",
    { schema: { hide: true, params: Type.Object({ service: Type.String() }) } },
    async (request, reply) => {
      const route = byService.get(request.params.service);
      if (!route) throw new NotFoundError("service_not_found", `No service is named "${request.params.service}".`);
      const { statusCode, body } = await deps.fetchDocument(route);
      if (statusCode !== 200 || body === undefined) {
        throw new UnavailableError(`The ${route.service} service did not give its OpenAPI document (${statusCode}).`, {
          extensions: { service: route.service },
        });
      }
      return reply.header("cache-control", "no-cache").send(publicDocument(body, route.prefix));
    },
  );
}
