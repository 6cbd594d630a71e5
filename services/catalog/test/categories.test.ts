import { type App, migrationsDirOf } from "@comptoir/platform";
import { createTestDatabase, http, listen, type TestDatabase, testLogger } from "@comptoir/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app";

let database: TestDatabase;
let app: App;
let api: ReturnType<typeof http>;

beforeAll(async () => {
  database = await createTestDatabase("catalog", migrationsDirOf(import.meta.url));
  app = await buildApp({ db: database.db, logger: testLogger("catalog"), instance: "catalog-test" });
  api = http(await listen(app));
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

describe("smoke", () => {
  it("creates and lists", async () => {
    const r = await api.post("/api/catalog/categories", { name: "Vêtements d'été" });
    expect(r.status).toBe(201);
    const c = await api.post("/api/catalog/categories", { name: "T-shirts", parentId: r.body.id });
    const t = await api.get("/api/catalog/categories");
    console.log(JSON.stringify(t.body), c.body);
    const d = await api.get(`/api/catalog/categories/${c.body.id}`);
    console.log(d.body);
    const o = await api.get(`/openapi.json`);
    console.log(JSON.stringify(o.body).slice(0, 3000));
  });
});
