import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeUpstream, startFakeUpstream } from "./support/fake-upstream";
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
  it("lists every service with a link to its OpenAPI document", async () => {
    const res = await gw.api.get("/docs");

    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.body).toContain('<a href="/docs/catalog/openapi.json">');
    expect(res.body).toContain('<a href="/docs/inventory/openapi.json">');
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
