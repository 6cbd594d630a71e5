import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeUpstream, startFakeUpstream } from "./support/fake-upstream";
import { DOCS_CSP } from "../src/http/edge.hooks";
import { startGateway, type TestGateway } from "./support/gateway";

let catalog: FakeUpstream;
let inventory: FakeUpstream;
let gw: TestGateway;

beforeAll(async () => {
  [catalog, inventory] = await Promise.all([startFakeUpstream("catalog-1"), startFakeUpstream("inventory-1")]);
  gw = await startGateway({ services: { catalog: [catalog], inventory: [inventory] } });
});
afterAll(async () => {
  await gw?.close();
  await Promise.all([catalog?.close(), inventory?.close()]);
});

describe("GET /docs", () => {
  it("is Swagger UI from the gateway's own assets, with no inline script", async () => {
    const res = await gw.api.get("/docs");

    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const scripts = [...(res.body as string).matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    expect(scripts.map(([, attributes]) => attributes!.match(/src="([^"]+)"/)?.[1])).toEqual([
      "/docs/static/swagger-ui-bundle.js",
      "/docs/static/swagger-ui-standalone-preset.js",
      "/docs/static/swagger-initializer.js",
    ]);
    expect(scripts.every(([, , body]) => body!.trim() === "")).toBe(true);
    expect(res.body).not.toMatch(/https?:\/\//);
    for (const [, attributes] of scripts) {
      const asset = await gw.api.get(attributes!.match(/src="([^"]+)"/)![1]!);
      expect(asset.status).toBe(200);
      expect(asset.headers.get("content-type")).toMatch(/javascript/);
    }
    expect((await gw.api.get("/docs/static/swagger-ui.css")).status).toBe(200);
  });

  it("lists every service's OpenAPI document on the one page", async () => {
    const res = await gw.api.get("/docs/static/swagger-initializer.js");

    expect(res.status).toBe(200);
    const urls = JSON.parse((res.body as string).match(/"urls":(\[[^\]]*\])/)![1]!);
    expect(urls).toEqual([
      { name: "catalog", url: "/docs/catalog/openapi.json" },
      { name: "inventory", url: "/docs/inventory/openapi.json" },
    ]);
  });

  it("keeps the strict CSP: scripts and styles from the gateway only, nothing inline or from elsewhere", async () => {
    for (const path of ["/docs", "/docs/", "/docs/static/swagger-initializer.js", "/docs/catalog/openapi.json"]) {
      const csp = (await gw.api.get(path)).headers.get("content-security-policy");

      expect(csp, path).toBe(DOCS_CSP);
    }
    expect(DOCS_CSP).toContain("script-src 'self';");
    expect(DOCS_CSP).toContain("default-src 'none';");
    expect(DOCS_CSP).not.toContain("unsafe-");
  });

  it("does not publish the gateway's own document (Swagger UI's /docs/json and /docs/yaml)", async () => {
    for (const path of ["/docs/json", "/docs/yaml"]) {
      const res = await gw.api.get(path);

      expect(res.status, path).toBe(404);
      expect(res.body, path).toMatchObject({ code: "route_not_found" });
    }
  });

  it("serves a service's OpenAPI document from one of its instances", async () => {
    const res = await gw.api.get("/docs/inventory/openapi.json");

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ openapi: "3.1.0", info: { title: "Comptoir inventory-1" } });
  });

  it("leaves a service's internal operations out of the public document", async () => {
    const res = await gw.api.get("/docs/inventory/openapi.json");

    expect(Object.keys(res.body.paths).sort()).toEqual([
      "/api/inventory/admin/events/dead-letters",
      "/api/inventory/products",
    ]);
  });

  it("answers 404 for a service it does not route", async () => {
    const res = await gw.api.get("/docs/nope/openapi.json");

    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: "service_not_found" });
  });
});
