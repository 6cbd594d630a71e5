import { type App, NotFoundError, Type } from "@comptoir/platform";
import type { ReverseProxy, ServiceRoute } from "../upstreams/proxy";
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
 * `/docs`: an API explorer over every service's OpenAPI document (each fetched from an instance of
 * the service at `/docs/<service>/openapi.json`), with try-it-out through the gateway. Its script
 * and style are served from `/docs/docs.js` and `/docs/docs.css`, allowed by the docs' CSP.
 */
export function docsRoutes(app: App, deps: { routes: readonly ServiceRoute[]; proxy: ReverseProxy }): void {
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
      return deps.proxy.forward(request, reply, route, { method: "GET", path: "/openapi.json" });
    },
  );
}
