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
let store1: { id: string };
let store2: { id: string };
const STORE_1_ID = "0192f5a0-0000-7000-8000-000000000001";
const UNKNOWN = "0192f5a0-0000-7000-8000-0000000000ff";

beforeAll(async () => {
  inv = await startInventory("availability");
  const location = async (code: string, storeId: string) =>
    (await inv.admin.post("/api/inventory/locations", { code, name: code, kind: "store", storeId })).body;
  store1 = await location("STORE-1", STORE_1_ID);
  store2 = await location("STORE-2", "0192f5a0-0000-7000-8000-000000000002");
});
afterAll(async () => inv?.close());

const availability = (query: string, api = inv.admin) => api.get(`/api/inventory/availability?${query}`);

describe("what can still be bought", () => {
  it("sums available over every location an online reservation draws from, less what is reserved", async () => {
    const a = await knownVariant(inv);
    const b = await knownVariant(inv);
    await receive(inv, a, ONLINE, 3);
    await receive(inv, a, CENTRAL, 10);
    await receive(inv, a, store1.id, 2);
    await receive(inv, b, ONLINE, 4);
    const reserved = await inv.admin.post("/api/inventory/reservations", {
      reference: `availability-${a}`,
      items: [{ variantId: a, quantity: 5 }],
    });
    expect(reserved.status, JSON.stringify(reserved.body)).toBe(201);

    const cart = await inv.as({ service: "cart" });
    const res = await availability(`variantIds=${b},${a}`, cart);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({
      data: [
        { variantId: b, available: 4, known: true },
        { variantId: a, available: 10, known: true },
      ],
    });
  });

  it("with a location (click-and-collect), counts that location only", async () => {
    const a = await knownVariant(inv);
    await receive(inv, a, CENTRAL, 10);
    await receive(inv, a, store1.id, 2);
    const res = await availability(`variantIds=${a}&locationId=${store1.id}`);
    expect(res.body.data).toEqual([{ variantId: a, available: 2, known: true }]);
    const none = await availability(`variantIds=${a}&locationId=${store2.id}`);
    expect(none.body.data).toEqual([{ variantId: a, available: 0, known: true }]);
  });

  it("answers unknown variants with 0 and known: false, and keeps the order of the ids (duplicates once)", async () => {
    const a = await knownVariant(inv);
    const empty = await knownVariant(inv);
    await receive(inv, a, ONLINE, 1);
    const res = await availability(`variantIds=${UNKNOWN},${a},${empty},${a.toUpperCase()}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      { variantId: UNKNOWN, available: 0, known: false },
      { variantId: a, available: 1, known: true },
      { variantId: empty, available: 0, known: true },
    ]);
  });

  it("a clerk counts their own store only; another store's location is 403, an unknown one 404", async () => {
    const a = await knownVariant(inv);
    await receive(inv, a, CENTRAL, 10);
    await receive(inv, a, store1.id, 2);
    const clerk = await inv.as({ role: "clerk", storeId: STORE_1_ID });
    expect((await availability(`variantIds=${a}`, clerk)).body.data).toEqual([
      { variantId: a, available: 2, known: true },
    ]);
    expectProblem(await availability(`variantIds=${a}&locationId=${store2.id}`, clerk), 403, "location_forbidden");
    expectProblem(await availability(`variantIds=${a}&locationId=${UNKNOWN}`), 404, "location_not_found");
  });

  it("needs stock:read and at most 200 well-formed ids", async () => {
    const a = await knownVariant(inv);
    const anonymous = http(inv.base);
    expectProblem(await availability(`variantIds=${a}`, anonymous), 401, "unauthorized");
    expectProblem(await availability(`variantIds=${a}`, await inv.as({ role: "customer" })), 403, "forbidden");
    expect((await availability("variantIds=nope")).status).toBe(400);
    expect((await availability(`variantIds=${Array(201).fill(a).join(",")}`)).status).toBe(400);
    expect((await availability("")).status).toBe(400);
  });
});
