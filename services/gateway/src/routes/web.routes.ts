import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import fastifyStatic from "@fastify/static";
import { type App, NotFoundError } from "@comptoir/platform";
import type { FastifyReply, FastifyRequest } from "fastify";
import { defaultConfigFile } from "../gateway.config";

/**
 * The web application's page: its own scripts, styles, images and API calls only (Vite's build has
 * no inline script); the API's responses keep the edge hooks' stricter API_CSP.
 */
export const WEB_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; " +
  // The point of sale is an installable app: its manifest and its service worker.
  "manifest-src 'self'; worker-src 'self'";

/**
 * The point of sale's installable app (web/public/pos and the build's service worker), each at a
 * fixed address, revalidated on every load: a new build's worker and manifest are seen at once.
 * The worker may control `/pos` (its scope) though it lives under `/pos/`.
 */
const POS_FILES: Record<string, { file: string; type: string; headers?: Record<string, string> }> = {
  "/pos/sw.js": {
    file: "pos/sw.js",
    type: "text/javascript; charset=utf-8",
    // A worker runs under its script's own CSP: the page's, so that it may fetch what it keeps.
    headers: { "service-worker-allowed": "/pos", "content-security-policy": WEB_CSP },
  },
  "/pos/manifest.webmanifest": { file: "pos/manifest.webmanifest", type: "application/manifest+json; charset=utf-8" },
  "/pos/icon.svg": { file: "pos/icon.svg", type: "image/svg+xml" },
};

/** Paths the web application never answers: they are the gateway's or the services'. */
const RESERVED = ["/api", "/images", "/docs", "/health", "/metrics", "/openapi.json", "/assets"];

const isReserved = (path: string) => RESERVED.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));

/** The repository's `web/dist`, found from the gateway's own module (its source or its bundle). */
export function defaultWebDist(moduleUrl: string): string {
  // services/gateway/gateway.config.json: the repository is two folders above the gateway's.
  return resolve(dirname(defaultConfigFile(moduleUrl)), "..", "..", "web", "dist");
}

/**
 * The web application built by Vite (`web/dist`): hashed files under `/assets/` cached for a year
 * (immutable: a new build has new names), Brotli or gzip when the build wrote them and the browser
 * takes them, `index.html` at `/` and, for a browser's navigation (Accept: text/html), at any other
 * path that is not the API's, the images', the docs', the health checks' or the metrics' (client-side
 * routing), revalidated on every load (`no-cache`) so that a new build is seen at once. Without a
 * build, `/` answers a 404 problem saying so.
 */
export async function webRoutes(app: App, deps: { dist: string }): Promise<void> {
  const dist = resolve(deps.dist);
  const index = join(dist, "index.html");
  const assets = join(dist, "assets");

  if (existsSync(assets)) {
    await app.register(fastifyStatic, {
      root: assets,
      prefix: "/assets/",
      decorateReply: false,
      index: false,
      list: false,
      dotfiles: "deny",
      immutable: true,
      // The build writes a .br and a .gz of each script and style sheet: sent to browsers that take them.
      preCompressed: true,
      maxAge: 365 * 24 * 60 * 60 * 1000,
      logLevel: "silent",
    });
  } else {
    app.log.info({ dist }, "the web application is not built (npm run build): / answers 404");
  }

  async function page(request: FastifyRequest, reply: FastifyReply) {
    const path = request.url.split("?")[0]!;
    if (isReserved(path)) return reply.callNotFound();
    // Beyond `/`, the page answers a browser's navigation only (it asks for text/html): a script,
    // a scanner or an API client asking for /admin or /.env gets the gateway's 404 problem.
    const vary = reply.getHeader("vary");
    reply.header("vary", vary ? `${String(vary)}, Accept` : "Accept");
    if (path !== "/" && !(request.headers.accept ?? "").includes("text/html")) return reply.callNotFound();
    let html: string;
    try {
      html = await readFile(index, "utf8");
    } catch {
      throw new NotFoundError(
        "web_app_not_built",
        `The web application is not built: ${index} is missing (npm run build builds it).`,
      );
    }
    return reply
      .header("cache-control", "no-cache")
      .header("content-security-policy", WEB_CSP)
      .type("text/html; charset=utf-8")
      .send(html);
  }

  for (const [url, served] of Object.entries(POS_FILES)) {
    app.route({
      method: ["GET", "HEAD"],
      url,
      exposeHeadRoute: false,
      schema: { hide: true },
      handler: async (_request, reply) => {
        let body: Buffer;
        try {
          body = await readFile(join(dist, served.file));
        } catch {
          return reply.callNotFound();
        }
        for (const [name, value] of Object.entries(served.headers ?? {})) reply.header(name, value);
        return reply.header("cache-control", "no-cache").type(served.type).send(body);
      },
    });
  }

  for (const url of ["/", "/*"]) {
    app.route({ method: ["GET", "HEAD"], url, exposeHeadRoute: false, schema: { hide: true }, handler: page });
  }
}
