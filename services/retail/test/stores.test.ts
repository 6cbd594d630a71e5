import { DEMO_STORES } from "@comptoir/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoStores } from "../src/seed/demo";
import {
  expectProblem,
  PARIS_HOURS,
  type RetailWorld,
  startRetail,
  storeBody,
  type TestStore,
} from "./support/harness";

let w: RetailWorld;
let s: TestStore;
let other: TestStore;
beforeAll(async () => {
  w = await startRetail("stores");
  s = await w.store();
  other = await w.store();
}, 120_000);
afterAll(async () => {
  await w?.close();
});

describe("creating a store", () => {
  it("an admin creates a store: 201 with its stock location, which inventory now has as a store location", async () => {
    const res = await w.admin.post("/api/retail/stores", storeBody("LYON-2", { name: "Comptoir Lyon Presqu'île" }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      code: "LYON-2",
      name: "Comptoir Lyon Presqu'île",
      timezone: "Europe/Paris",
      openingHours: PARIS_HOURS,
      managerId: null,
      address: { city: "Lyon", country: "FR" },
    });
    const locations = await w.inventory.admin.get("/api/inventory/locations");
    expect(locations.body.data).toContainEqual(
      expect.objectContaining({ id: res.body.locationId, code: "LYON-2", kind: "store", storeId: res.body.id }),
    );
    const again = await w.admin.get(`/api/retail/stores/${res.body.id}`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
  });

  it("creating a store publishes retail.store.created once, with the store's whole state", async () => {
    const res = await w.admin.post(
      "/api/retail/stores",
      storeBody("EVT-1", { managerId: "0192f5a0-0000-7000-8000-0000000000aa" }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const events = await w.retail.published("retail.store.created", res.body.id);
    expect(events).toEqual([
      {
        id: res.body.id,
        code: "EVT-1",
        name: "Magasin EVT-1",
        address: { line1: "12 rue de la République", postalCode: "69002", city: "Lyon", country: "FR" },
        phone: "+33 4 78 00 00 00",
        email: "evt-1@comptoir.example",
        managerId: "0192f5a0-0000-7000-8000-0000000000aa",
        openingHours: PARIS_HOURS,
        timezone: "Europe/Paris",
        locationId: res.body.locationId,
        createdAt: res.body.createdAt,
        updatedAt: res.body.updatedAt,
      },
    ]);
    expect(await w.retail.published("retail.store.updated", res.body.id)).toEqual([]);
  });

  it("a store refused (code taken, invalid hours) publishes nothing", async () => {
    const before = (await w.retail.published("retail.store.created")).length;
    expectProblem(await w.admin.post("/api/retail/stores", storeBody(s.code)), 409, "store_code_taken");
    expectProblem(
      await w.admin.post(
        "/api/retail/stores",
        storeBody("EVT-BAD", { openingHours: { ...PARIS_HOURS, mon: [{ open: "19:00", close: "09:00" }] } }),
      ),
      400,
      "invalid_store",
    );
    expect((await w.retail.published("retail.store.created")).length).toBe(before);
  });

  it("a second store with the same code is a 409 store_code_taken, and inventory gets no second location", async () => {
    const before = (await w.inventory.admin.get("/api/inventory/locations")).body.data.length;
    expectProblem(await w.admin.post("/api/retail/stores", storeBody(s.code)), 409, "store_code_taken");
    expect((await w.inventory.admin.get("/api/inventory/locations")).body.data.length).toBe(before);
  });

  it("a code inventory already has for another location is a 409 store_code_taken", async () => {
    const res = await w.inventory.admin.post("/api/inventory/locations", {
      code: "DEPOT-9",
      name: "Dépôt",
      kind: "central",
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expectProblem(await w.admin.post("/api/retail/stores", storeBody("DEPOT-9")), 409, "store_code_taken");
    expect((await w.admin.get("/api/retail/stores?q=DEPOT-9")).body.pagination.total).toBe(0);
  });

  it("managers and clerks may not create stores (403), nor anonymous callers (401)", async () => {
    expectProblem(await s.manager.api.post("/api/retail/stores", storeBody("NOPE-1")), 403, "forbidden");
    expectProblem(await s.clerk.api.post("/api/retail/stores", storeBody("NOPE-2")), 403, "forbidden");
    expectProblem(await w.retail.anonymous.post("/api/retail/stores", storeBody("NOPE-3")), 401);
  });

  it.each([
    ["an unknown time zone", { timezone: "Europe/Atlantis" }, "invalid_store"],
    [
      "hours that close before they open",
      { openingHours: { ...PARIS_HOURS, mon: [{ open: "19:00", close: "09:00" }] } },
      "invalid_store",
    ],
    [
      "overlapping hours",
      {
        openingHours: {
          ...PARIS_HOURS,
          tue: [
            { open: "09:00", close: "13:00" },
            { open: "12:00", close: "19:00" },
          ],
        },
      },
      "invalid_store",
    ],
    [
      "a time that is no time",
      { openingHours: { ...PARIS_HOURS, wed: [{ open: "9h", close: "19:00" }] } },
      "validation_failed",
    ],
    ["a missing day", { openingHours: { mon: [] } }, "validation_failed"],
    ["a bad e-mail", { email: "not-an-email" }, "validation_failed"],
    ["a bad code", { code: "a b" }, "validation_failed"],
    ["an unknown field", { color: "blue" }, "validation_failed"],
  ])("%s is a 400 %s", async (_what, overrides, code) => {
    expectProblem(await w.admin.post("/api/retail/stores", storeBody("BAD-1", overrides)), 400, code);
  });
});

describe("seeing stores", () => {
  it("an admin lists every store, paginated by code", async () => {
    const res = await w.admin.get("/api/retail/stores?limit=1&page=2");
    expect(res.status).toBe(200);
    expect(res.body.pagination).toMatchObject({ page: 2, limit: 1 });
    expect(res.body.pagination.total).toBeGreaterThanOrEqual(3);
    expect(res.body.data).toHaveLength(1);
    const all = await w.admin.get("/api/retail/stores?limit=200");
    const codes = all.body.data.map((x: { code: string }) => x.code);
    expect(codes).toEqual([...codes].sort());
    expect(codes).toEqual(expect.arrayContaining([s.code, other.code]));
  });

  it("a clerk and a manager see their own store only; another store is a 404", async () => {
    for (const api of [s.clerk.api, s.manager.api]) {
      const list = await api.get("/api/retail/stores");
      expect(list.body.data.map((x: { id: string }) => x.id)).toEqual([s.id]);
      expect(list.body.pagination.total).toBe(1);
      expect((await api.get(`/api/retail/stores/${s.id}`)).status).toBe(200);
      expectProblem(await api.get(`/api/retail/stores/${other.id}`), 404, "store_not_found");
    }
  });

  it("staff attached to no store see none; a customer is refused (403)", async () => {
    const loose = await w.staff("clerk", null);
    expect((await loose.api.get("/api/retail/stores")).body).toMatchObject({ data: [], pagination: { total: 0 } });
    const customer = await w.staff("customer", null);
    expectProblem(await customer.api.get("/api/retail/stores"), 403);
  });

  it("an unknown store is a 404, a malformed id a 400", async () => {
    expectProblem(await w.admin.get("/api/retail/stores/0192f5a0-0000-7000-8000-0000000000ff"), 404, "store_not_found");
    expectProblem(await w.admin.get("/api/retail/stores/nope"), 400, "validation_failed");
  });
});

describe("changing a store", () => {
  it("an admin changes its hours and manager; the code stays", async () => {
    const store = await w.store();
    const hours = { ...PARIS_HOURS, sun: [{ open: "10:00", close: "13:00" }] };
    const res = await w.admin.patch(`/api/retail/stores/${store.id}`, {
      openingHours: hours,
      managerId: store.manager.id,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ code: store.code, openingHours: hours, managerId: store.manager.id });
    expectProblem(await w.admin.patch(`/api/retail/stores/${store.id}`, { code: "X" }), 400, "validation_failed");
    expectProblem(await w.admin.patch(`/api/retail/stores/${store.id}`, {}), 400, "validation_failed");
    expectProblem(
      await w.admin.patch(`/api/retail/stores/${store.id}`, { timezone: "Mars/Olympus" }),
      400,
      "invalid_store",
    );
  });

  it("a manager may not change the store (403)", async () => {
    expectProblem(await s.manager.api.patch(`/api/retail/stores/${s.id}`, { name: "Mon magasin" }), 403);
    expect(await w.retail.published("retail.store.updated", s.id)).toEqual([]);
  });

  it("each change publishes retail.store.updated once, with the store's whole new state; a refused one nothing", async () => {
    const store = await w.store();
    const hours = {
      ...PARIS_HOURS,
      sat: [
        { open: "10:00", close: "12:30" },
        { open: "14:00", close: "18:00" },
      ],
    };
    const first = await w.admin.patch(`/api/retail/stores/${store.id}`, { name: "  Comptoir Lyon Part-Dieu " });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const second = await w.admin.patch(`/api/retail/stores/${store.id}`, {
      openingHours: hours,
      timezone: "Europe/Brussels",
      managerId: store.manager.id,
    });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    // Refused: by the schema, by the store's rules, by access; none of them publishes.
    expectProblem(await w.admin.patch(`/api/retail/stores/${store.id}`, { code: "X" }), 400, "validation_failed");
    expectProblem(
      await w.admin.patch(`/api/retail/stores/${store.id}`, {
        openingHours: {
          ...PARIS_HOURS,
          tue: [
            { open: "09:00", close: "13:00" },
            { open: "12:00", close: "19:00" },
          ],
        },
      }),
      400,
      "invalid_store",
    );
    expectProblem(
      await w.admin.patch(`/api/retail/stores/${store.id}`, { timezone: "Mars/Olympus" }),
      400,
      "invalid_store",
    );
    expectProblem(await store.manager.api.patch(`/api/retail/stores/${store.id}`, { name: "Mon magasin" }), 403);

    const events = await w.retail.published("retail.store.updated", store.id);
    expect(events).toEqual([first.body, second.body]);
    expect(events[0]).toMatchObject({
      id: store.id,
      code: store.code,
      name: "Comptoir Lyon Part-Dieu",
      managerId: null,
    });
    expect(events[1]).toMatchObject({
      name: "Comptoir Lyon Part-Dieu",
      openingHours: hours,
      timezone: "Europe/Brussels",
      managerId: store.manager.id,
      locationId: store.locationId,
      createdAt: store.body.createdAt,
    });
    expect(await w.retail.published("retail.store.created", store.id)).toEqual([store.body]);
  });
});

describe("registers", () => {
  it("the store's manager adds a register; a second one with the same code is a 409", async () => {
    const res = await s.manager.api.post(`/api/retail/stores/${s.id}/registers`, { code: "C1", name: "Caisse 1" });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ storeId: s.id, code: "C1", name: "Caisse 1" });
    expectProblem(
      await w.admin.post(`/api/retail/stores/${s.id}/registers`, { code: "C1", name: "Encore" }),
      409,
      "register_code_taken",
    );
    // The same code in another store is fine.
    expect(
      (await w.admin.post(`/api/retail/stores/${other.id}/registers`, { code: "C1", name: "Caisse 1" })).status,
    ).toBe(201);
    const view = await s.clerk.api.get(`/api/retail/registers/${res.body.id}`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ id: res.body.id, storeId: s.id, currentSession: null });
  });

  it("a clerk may not add a register (403); a manager of another store gets a 404", async () => {
    expectProblem(await s.clerk.api.post(`/api/retail/stores/${s.id}/registers`, { code: "C9", name: "x" }), 403);
    expectProblem(
      await other.manager.api.post(`/api/retail/stores/${s.id}/registers`, { code: "C9", name: "x" }),
      404,
      "store_not_found",
    );
  });

  it("a store's registers are listed by code, to its staff only", async () => {
    const store = await w.store();
    for (const code of ["C3", "C1", "C2"]) await w.register(store.id, { code });
    const res = await store.clerk.api.get(`/api/retail/stores/${store.id}/registers?limit=2`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((r: { code: string }) => r.code)).toEqual(["C1", "C2"]);
    expect(res.body.pagination).toEqual({ page: 1, limit: 2, total: 3 });
    expectProblem(await s.clerk.api.get(`/api/retail/stores/${store.id}/registers`), 404, "store_not_found");
  });

  it("another store's register is a 404 register_not_found", async () => {
    const r = await w.register(other.id);
    expectProblem(await s.clerk.api.get(`/api/retail/registers/${r.id}`), 404, "register_not_found");
  });
});

describe("the demo stores", () => {
  it("seeded by three instances at once: created once, three stores in Paris' time zone with two registers each", async () => {
    const deps = { db: w.retail.db, outbox: w.retail.bus.outbox };
    const runs = await Promise.all([seedDemoStores(deps), seedDemoStores(deps), seedDemoStores(deps)]);
    expect(runs.map((r) => r.created).sort()).toEqual([false, false, true]);
    expect(await seedDemoStores(deps)).toEqual({ created: false });
    // Each demo store published retail.store.created once (in the seed's transaction), like any other store.
    for (const demo of DEMO_STORES) {
      const store = await w.admin.get(`/api/retail/stores/${demo.storeId}`);
      expect(await w.retail.published("retail.store.created", demo.storeId)).toEqual([store.body]);
    }

    for (const demo of DEMO_STORES) {
      const store = await w.admin.get(`/api/retail/stores/${demo.storeId}`);
      expect(store.status, JSON.stringify(store.body)).toBe(200);
      expect(store.body).toMatchObject({
        code: demo.code,
        name: demo.name,
        locationId: demo.locationId,
        timezone: "Europe/Paris",
        address: { country: "FR" },
      });
      expect(store.body.openingHours.mon).not.toEqual([]);
      const registers = await w.admin.get(`/api/retail/stores/${demo.storeId}/registers`);
      expect(registers.body.data.map((r: { code: string }) => r.code)).toEqual(["CAISSE-1", "CAISSE-2"]);
    }
    // A demo clerk of store 1 opens a demo register.
    const clerk = await w.staff("clerk", DEMO_STORES[0].storeId);
    const registers = await clerk.api.get(`/api/retail/stores/${DEMO_STORES[0].storeId}/registers`);
    const open = await clerk.api.post(`/api/retail/registers/${registers.body.data[0].id}/open`, {
      openingFloat: 15_000,
    });
    expect(open.status, JSON.stringify(open.body)).toBe(201);
  });
});
