import { type App, NotFoundError, Type, UnavailableError } from "@comptoir/platform";
import { sectionOf } from "../http/request-target";
import type { ServiceRoute } from "../upstreams/proxy";
import { DOCS_SCRIPT, DOCS_STYLE } from "./docs/docs-ui";

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function docsPage(routes: readonly ServiceRoute[]): string {
  const items = routes
    .map((r) => {
      const name = escapeHtml(r.service);
      const href = `/docs/${encodeURIComponent(r.service)}/openapi.json`;
      return `      <li class="service" data-spec="${href}"><details><summary><strong>${name}</strong> <code>${escapeHtml(r.prefix)}</code> — <a href="${href}">OpenAPI document</a></summary><div class="ops"></div></details></li>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Comptoir API</title>
    <link rel="stylesheet" href="/docs/docs.css">
  </head>
  <body>
    <h1>Comptoir API</h1>
    <p>Every service is served by this gateway under its prefix. Open a service to see its operations
    and try them; each links to its OpenAPI 3.1 document.</p>
    <div class="auth">
      <label>Access token (Bearer) <input id="token" autocomplete="off" placeholder="eyJ…"></label>
      <label>API key <input id="apikey" autocomplete="off" placeholder="ck_frontend_…"></label>
    </div>
    <ul>
${items}
    </ul>
    <script src="/docs/docs.js"></script>
  </body>
</html>
`;
}

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
 * `/docs`: an API explorer over every service's OpenAPI document (each fetched from an instance of
 * the service at `/docs/<service>/openapi.json`, its internal operations left out), with try-it-out
 * through the gateway. Its script and style are served from `/docs/docs.js` and `/docs/docs.css`,
 * allowed by the docs' CSP.
 */
export function docsRoutes(
  app: App,
  deps: {
    routes: readonly ServiceRoute[];
    /** A service's own /openapi.json, from one of its instances: status and parsed body. */
    fetchDocument: (route: ServiceRoute) => Promise<{ statusCode: number; body: unknown }>;
  },
): void {
  const byService = new Map(deps.routes.map((r) => [r.service, r]));
  const page = docsPage(deps.routes);

  app.get("/docs", { schema: { hide: true } }, async (_request, reply) =>
    reply.type("text/html; charset=utf-8").header("cache-control", "no-cache").send(page),
  );
  app.get("/docs/docs.js", { schema: { hide: true } }, async (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").header("cache-control", "no-cache").send(DOCS_SCRIPT),
  );
  app.get("/docs/docs.css", { schema: { hide: true } }, async (_request, reply) =>
    reply.type("text/css; charset=utf-8").header("cache-control", "no-cache").send(DOCS_STYLE),
  );

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
