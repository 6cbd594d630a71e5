import { inventoryHttp } from "@comptoir/contracts/http";
import { http } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CENTRAL,
  expectProblem,
  type Inventory,
  knownVariant,
  ONLINE,
  receive,
  startInventory,
} from "./support/harness";

let inv: Inventory;
let anonymous: ReturnType<typeof http>;
let lyon: { id: string; storeId: string };
let paris: { id: string; storeId: string };
const UNKNOWN = "0192f5a0-0000-7000-8000-0000000000fe";

beforeAll(async () => {
  inv = await startInventory("store-availability");
  anonymous = http(inv.base);
  const location = async (code: string, name: string, storeId: string) =>
    (await inv.admin.post("/api/inventory/locations", { code, name, kind: "store", storeId })).body;
  // Named so that Lyon sorts before Paris, whatever the order of creation.
  paris = await location("STORE-P", "Comptoir Paris", "0192f5a0-0000-7000-8000-00000000a002");
  lyon = await location("STORE-L", "Comptoir Lyon", "0192f5a0-0000-7000-8000-00000000a001");
});
afterAll(async () => inv?.close());

const storeAvailability = (query: string) => anonymous.get(`/api/inventory/store-availability?${query}`);
const at = (body: { stores: { locationId: string; variants: unknown[] }[] }, locationId: string) =>
  body.stores.find((s) => s.locationId === locationId)?.variants;

describe("stock for the public: online and per store", () => {
  it("anyone reads each store's stock by name, as a status and a count capped at 10", async () => {
    const a = await knownVariant(inv);
    await receive(inv, a, lyon.id, 25);
    await receive(inv, a, paris.id, 2);
    await receive(inv, a, ONLINE, 4);
    await receive(inv, a, CENTRAL, 100);

    const res = await storeAvailability(`variantIds=${a}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const mine = res.body.stores.filter((s: { locationId: string }) => [lyon.id, paris.id].includes(s.locationId));
    expect(mine).toEqual([
      {
        locationId: lyon.id,
        storeId: lyon.storeId,
        name: "Comptoir Lyon",
        variants: [{ variantId: a, status: "in_stock", available: 10, known: true }],
      },
      {
        locationId: paris.id,
        storeId: paris.storeId,
        name: "Comptoir Paris",
        variants: [{ variantId: a, status: "low", available: 2, known: true }],
      },
    ]);
    // Only store locations are listed: neither the warehouse nor the online channel.
    const ids = res.body.stores.map((s: { locationId: string }) => s.locationId);
    expect(ids).not.toContain(CENTRAL);
    expect(ids).not.toContain(ONLINE);
    // Online: every location an order without pickup draws from (4 + 100 + 25 + 2), capped.
    expect(res.body.online).toEqual([{ variantId: a, status: "in_stock", available: 10, known: true }]);
    expect(inventoryHttp.PUBLIC_AVAILABILITY_CAP).toBe(10);
  });

  it("a reservation at a store lowers it; the level's own threshold makes it low, 0 makes it out", async () => {
    const a = await knownVariant(inv);
    await receive(inv, a, paris.id, 12);
    expect(at((await storeAvailability(`variantIds=${a}`)).body, paris.id)).toEqual([
      { variantId: a, status: "in_stock", available: 10, known: true },
    ]);

    const reserved = await inv.admin.post("/api/inventory/reservations", {
      reference: `click-collect-${a}`,
      locationId: paris.id,
      items: [{ variantId: a, quantity: 5 }],
    });
    expect(reserved.status, JSON.stringify(reserved.body)).toBe(201);
    expect(at((await storeAvailability(`variantIds=${a}`)).body, paris.id)).toEqual([
      { variantId: a, status: "in_stock", available: 7, known: true },
    ]);

    const threshold = await inv.admin.put("/api/inventory/thresholds", {
      variantId: a,
      locationId: paris.id,
      threshold: 8,
    });
    expect(threshold.status, JSON.stringify(threshold.body)).toBe(200);
    expect(at((await storeAvailability(`variantIds=${a}`)).body, paris.id)).toEqual([
      { variantId: a, status: "low", available: 7, known: true },
    ]);

    const rest = await inv.admin.post("/api/inventory/reservations", {
      reference: `click-collect-rest-${a}`,
      locationId: paris.id,
      items: [{ variantId: a, quantity: 7 }],
    });
    expect(rest.status, JSON.stringify(rest.body)).toBe(201);
    const res = await storeAvailability(`variantIds=${a}`);
    expect(at(res.body, paris.id)).toEqual([{ variantId: a, status: "out", available: 0, known: true }]);
    expect(at(res.body, lyon.id)).toEqual([{ variantId: a, status: "out", available: 0, known: true }]);
    expect(res.body.online).toEqual([{ variantId: a, status: "out", available: 0, known: true }]);
  });

  it("answers unknown variants as out with known: false, and keeps the order of the ids (duplicates once)", async () => {
    const a = await knownVariant(inv);
    await receive(inv, a, lyon.id, 1);
    const res = await storeAvailability(`variantIds=${UNKNOWN},${a},${a.toUpperCase()}`);
    expect(res.status).toBe(200);
    const expected = (availableAtA: number, statusOfA: string) => [
      { variantId: UNKNOWN, status: "out", available: 0, known: false },
      { variantId: a, status: statusOfA, available: availableAtA, known: true },
    ];
    expect(at(res.body, lyon.id)).toEqual(expected(1, "low"));
    expect(at(res.body, paris.id)).toEqual(expected(0, "out"));
    expect(res.body.online).toEqual(expected(1, "low"));
  });

  it("refuses what the availability check refuses: bad ids, more than 200, none (400 problem+json)", async () => {
    const a = await knownVariant(inv);
    for (const query of [
      "variantIds=nope",
      `variantIds=${Array(201).fill(a).join(",")}`,
      "",
      `variantIds=${a}&locationId=${lyon.id}`,
    ]) {
      const res = await storeAvailability(query);
      expectProblem(res, 400, "validation_failed");
      expect(res.headers.get("content-type")).toContain("application/problem+json");
    }
  });
});
