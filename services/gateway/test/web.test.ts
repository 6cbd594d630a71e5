import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_CSP } from "../src/http/edge.hooks";
import { WEB_CSP } from "../src/routes/web.routes";
import { type FakeUpstream, startFakeUpstream } from "./support/fake-upstream";
import { startGateway, type TestGateway } from "./support/gateway";

const INDEX =
  '<!doctype html><html lang="fr"><head><script type="module" src="/assets/index-Ab12Cd34.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = "console.log('storefront');";
const YEAR = "public, max-age=31536000, immutable";
const SERVICE_WORKER = "self.addEventListener('fetch', () => {});";
const MANIFEST = '{"name":"Comptoir — Caisse","start_url":"/pos/"}';
const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>';
/** What a browser sends when it navigates to a page. */
const NAVIGATION = { accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" };

let root: string;
let catalog: FakeUpstream;
let gw: TestGateway;
let unbuilt: TestGateway;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "comptoir-web-test-"));
  const dist = join(root, "dist");
  mkdirSync(join(dist, "assets"), { recursive: true });
  writeFileSync(join(dist, "index.html"), INDEX);
  writeFileSync(join(dist, "assets", "index-Ab12Cd34.js"), SCRIPT);
  writeFileSync(join(dist, "assets", "index-Ab12Cd34.js.br"), brotliCompressSync(SCRIPT));
  writeFileSync(join(dist, "assets", "index-Ef56Gh78.css"), "body{margin:0}");
  mkdirSync(join(dist, "pos"));
  writeFileSync(join(dist, "pos", "sw.js"), SERVICE_WORKER);
  writeFileSync(join(dist, "pos", "manifest.webmanifest"), MANIFEST);
  writeFileSync(join(dist, "pos", "icon.svg"), ICON);
  catalog = await startFakeUpstream("catalog-1");
  [gw, unbuilt] = await Promise.all([
    startGateway({ services: { catalog: [catalog] }, webDist: dist }),
    startGateway({ services: { catalog: [catalog] }, webDist: join(root, "missing") }),
  ]);
});
afterAll(async () => {
  await Promise.all([gw?.close(), unbuilt?.close()]);
  await catalog?.close();
  rmSync(root, { recursive: true, force: true });
});

describe("the web application at /", () => {
  it("serves index.html at / revalidated on every load, with the web page's CSP", async () => {
    const res = await gw.api.get("/");

    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("content-security-policy")).toBe(WEB_CSP);
    expect(res.body).toBe(INDEX);
    expect(WEB_CSP).toContain("script-src 'self';");
    expect(WEB_CSP).not.toContain("unsafe-");
  });

  it("serves hashed assets cached for a year, immutable", async () => {
    const js = await gw.api.get("/assets/index-Ab12Cd34.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toMatch(/^(text|application)\/javascript/);
    expect(js.headers.get("cache-control")).toBe(YEAR);
    expect(js.body).toBe(SCRIPT);

    const css = await gw.api.get("/assets/index-Ef56Gh78.css");
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toMatch(/^text\/css/);
    expect(css.headers.get("cache-control")).toBe(YEAR);
  });

  it("sends the build's Brotli copy to a browser that takes it, the plain file to one that does not", async () => {
    const br = await gw.api.get("/assets/index-Ab12Cd34.js", { "accept-encoding": "br, gzip" });
    expect(br.status).toBe(200);
    expect(br.headers.get("content-encoding")).toBe("br");
    expect(br.headers.get("content-type")).toMatch(/javascript/);
    expect(br.headers.get("cache-control")).toBe(YEAR);
    expect(br.body).toBe(SCRIPT);

    const plain = await gw.api.get("/assets/index-Ab12Cd34.js", { "accept-encoding": "identity" });
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(plain.body).toBe(SCRIPT);
  });

  it("answers a browser's navigation to any other path with the page, for the client's router", async () => {
    for (const path of ["/products/pull-marin", "/search?q=chemise", "/account/orders/42", "/fr/cart/"]) {
      const res = await gw.api.get(path, NAVIGATION);

      expect(res.status, path).toBe(200);
      expect(res.body, path).toBe(INDEX);
      expect(res.headers.get("cache-control"), path).toBe("no-cache");
      expect(res.headers.get("vary"), path).toMatch(/Accept/);
    }
  });

  it("answers anything but a navigation to another path with a 404 problem (scanners, scripts)", async () => {
    for (const path of ["/admin", "/.env", "/config.json", "/products/pull-marin"]) {
      const res = await gw.api.get(path, { accept: "*/*" });

      expect(res.status, path).toBe(404);
      expect(res.body, path).toMatchObject({ code: "route_not_found" });
    }
  });

  it("never answers the page for a missing asset: a 404 problem", async () => {
    const res = await gw.api.get("/assets/index-00000000.js");

    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: "route_not_found" });
  });

  it("leaves /api, /images, /docs, /health and /metrics to the gateway", async () => {
    const api = await gw.api.get("/api/catalog/products");
    expect(api.status).toBe(200);
    expect(api.body).toMatchObject({ instance: "catalog-1" });
    expect(api.headers.get("content-security-policy")).toBe(API_CSP);

    expect((await gw.status()).status).toBe(200);
    expect((await gw.api.get("/metrics")).status).toBe(200);
    expect((await gw.api.get("/docs")).headers.get("content-type")).toBe("text/html; charset=utf-8");
    for (const path of [
      "/api",
      "/api/unknown/thing",
      "/images/unknown/x.webp",
      "/docs/nothing/here",
      "/health/x",
      "/metrics/x",
    ]) {
      const res = await gw.api.get(path, NAVIGATION);

      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toBe(INDEX);
      expect(res.headers.get("content-type"), path).toMatch(/^application\/problem\+json/);
    }
  });

  it("answers only GET and HEAD with the page", async () => {
    const res = await gw.api.post("/products/pull-marin", {}, NAVIGATION);

    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: "route_not_found" });
  });
});

describe("the point of sale's installable app", () => {
  it("serves its service worker revalidated on every load, allowed to control /pos, under the page's CSP", async () => {
    const res = await gw.api.get("/pos/sw.js", { accept: "*/*", "service-worker": "script" });

    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("service-worker-allowed")).toBe("/pos");
    expect(res.headers.get("content-security-policy")).toBe(WEB_CSP);
    expect(res.body).toBe(SERVICE_WORKER);
  });

  it("serves its manifest and icon with their types, revalidated on every load", async () => {
    const manifest = await gw.api.get("/pos/manifest.webmanifest", { accept: "*/*" });
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get("content-type")).toBe("application/manifest+json; charset=utf-8");
    expect(manifest.headers.get("cache-control")).toBe("no-cache");

    const icon = await gw.api.get("/pos/icon.svg", { accept: "*/*" });
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toBe("image/svg+xml");
    expect(icon.headers.get("cache-control")).toBe("no-cache");
  });

  it("lets the page link its manifest and register its worker (CSP), and keeps /pos the client's route", async () => {
    expect(WEB_CSP).toContain("manifest-src 'self'");
    expect(WEB_CSP).toContain("worker-src 'self'");
    for (const path of ["/pos", "/pos/", "/pos/returns"]) {
      const res = await gw.api.get(path, NAVIGATION);
      expect(res.status, path).toBe(200);
      expect(res.body, path).toBe(INDEX);
    }
    const other = await gw.api.get("/pos/other.js", { accept: "*/*" });
    expect(other.status).toBe(404);
  });

  it("answers 404 for them without a build", async () => {
    for (const path of ["/pos/sw.js", "/pos/manifest.webmanifest"]) {
      expect((await unbuilt.api.get(path, { accept: "*/*" })).status, path).toBe(404);
    }
  });
});

describe("without a build of the web application", () => {
  it("answers / with a 404 problem that says so, and the API as usual", async () => {
    const res = await unbuilt.api.get("/");

    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: "web_app_not_built", status: 404 });
    expect(res.body.detail).toMatch(/npm run build/);
    expect((await unbuilt.api.get("/assets/index-Ab12Cd34.js")).status).toBe(404);
    expect((await unbuilt.api.get("/api/catalog/products")).status).toBe(200);
    expect((await unbuilt.readiness()).status).toBe(200);
  });
});
