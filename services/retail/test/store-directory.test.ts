import { http } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PARIS_HOURS, type RetailWorld, startRetail, type TestStore } from "./support/harness";

let w: RetailWorld;
let a: TestStore;
let b: TestStore;
beforeAll(async () => {
  w = await startRetail("store-directory");
  a = await w.store({ managerId: "0192f5a0-0000-7000-8000-0000000000ab" });
  b = await w.store();
}, 120_000);
afterAll(async () => {
  await w?.close();
});

describe("the public store directory", () => {
  it("anyone, signed in or not, reads every store with its address, phone, hours and stock location", async () => {
    const anonymous = http(w.retail.base);
    const res = await anonymous.get("/api/retail/store-directory");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=60");
    const codes = res.body.data.map((s: { code: string }) => s.code);
    expect(codes).toEqual([...codes].sort());
    const entry = res.body.data.find((s: { id: string }) => s.id === a.id);
    expect(entry).toEqual({
      id: a.id,
      code: a.code,
      name: a.name,
      address: a.body.address,
      phone: a.body.phone,
      openingHours: PARIS_HOURS,
      timezone: "Europe/Paris",
      locationId: a.locationId,
    });
    expect(res.body.data.map((s: { id: string }) => s.id)).toContain(b.id);

    // A customer and a clerk of another store read the same list.
    const customer = await w.staff("customer", null);
    expect((await customer.api.get("/api/retail/store-directory")).body).toEqual(res.body);
    expect((await b.clerk.api.get("/api/retail/store-directory")).body).toEqual(res.body);
  });

  it("leaks nothing private: no manager, no e-mail, no dates", async () => {
    const res = await http(w.retail.base).get("/api/retail/store-directory");
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(a.body.email);
    expect(text).not.toContain("0192f5a0-0000-7000-8000-0000000000ab");
    for (const store of res.body.data) {
      expect(Object.keys(store).sort()).toEqual(
        ["address", "code", "id", "locationId", "name", "openingHours", "phone", "timezone"].sort(),
      );
    }
    // The staff's list still needs a token.
    expect((await http(w.retail.base).get("/api/retail/stores")).status).toBe(401);
  });
});
