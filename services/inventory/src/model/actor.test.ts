import { describe, expect, it } from "vitest";
import { assertCanAccess, canAccess, EVERYWHERE, scopeOf } from "./actor";
import { parsePriority } from "./location";

const store = (storeId: string | null) => ({ storeId });

describe("who may touch which location", () => {
  it("a clerk: the location of their store only, none without a store; anyone else: every location", () => {
    const clerk = scopeOf({ role: "clerk", storeId: "s1" });
    expect(canAccess(clerk, store("s1"))).toBe(true);
    expect(canAccess(clerk, store("s2"))).toBe(false);
    expect(canAccess(clerk, store(null))).toBe(false);
    expect(canAccess(scopeOf({ role: "clerk", storeId: null }), store(null))).toBe(false);
    expect(scopeOf({ role: "manager", storeId: "s1" })).toEqual(EVERYWHERE);
    expect(canAccess(EVERYWHERE, store(null))).toBe(true);
  });

  it("refuses with 403 location_forbidden", () => {
    const clerk = { scope: scopeOf({ role: "clerk", storeId: "s1" }) };
    expect(() => assertCanAccess(clerk, store("s1"))).not.toThrow();
    expect(() => assertCanAccess(clerk, store("s2"))).toThrow(
      expect.objectContaining({ status: 403, code: "location_forbidden" }),
    );
  });
});

describe("the allocation priority setting", () => {
  it("reads comma-separated kinds or codes, blanks ignored", () => {
    expect(parsePriority("online,central,store")).toEqual(["online", "central", "store"]);
    expect(parsePriority(" STORE-2 , online,,")).toEqual(["STORE-2", "online"]);
  });
});
