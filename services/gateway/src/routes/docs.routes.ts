import { type App, NotFoundError, Type } from "@comptoir/platform";
import type { ReverseProxy, ServiceRoute } from "../upstreams/proxy";

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function docsPage(routes: readonly ServiceRoute[]): string {
  const items = routes
    .map((r) => {
      const name = escapeHtml(r.service);
      const href = `/docs/${encodeURIComponent(r.service)}/openapi.json`;
      return `      <li><strong>${name}</strong> <code>${escapeHtml(r.prefix)}</code> — <a href="${href}">OpenAPI document</a></li>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Comptoir API</title>
    <style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.6}code{color:#555}</style>
  </head>
  <body>
    <h1>Comptoir API</h1>
    <p>Every service is served by this gateway under its prefix. Each links to its OpenAPI 3.1 document.</p>
    <ul>
${items}
    </ul>
  </body>
</html>
`;
}

/**
 * `/docs`: the services and their OpenAPI documents, each fetched from an instance of the service
 * (`/docs/<service>/openapi.json`). The aggregated reference with try-it-out comes later.
 */
export function docsRoutes(app: App, deps: { routes: readonly ServiceRoute[]; proxy: ReverseProxy }): void {
  const byService = new Map(deps.routes.map((r) => [r.service, r]));
  const page = docsPage(deps.routes);

  app.get("/docs", { schema: { hide: true } }, async (_request, reply) =>
    reply.type("text/html; charset=utf-8").send(page),
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
