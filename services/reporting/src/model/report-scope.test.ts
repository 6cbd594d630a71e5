import { describe, expect, it } from "vitest";
import { channelFilterOf, checkScope, FilterError, ScopeError } from "./report-scope";

const S1 = "0192f5a0-0000-7000-8000-000000000001";
const S2 = "0192f5a0-0000-7000-8000-000000000002";

describe("who reads which channels", () => {
  it("reads storeId and channel as one filter, refusing a contradiction", () => {
    expect(channelFilterOf({})).toEqual({ kind: "all" });
    expect(channelFilterOf({ channel: "online" })).toEqual({ kind: "online" });
    expect(channelFilterOf({ channel: "store" })).toEqual({ kind: "stores" });
    expect(channelFilterOf({ storeId: S1, channel: "store" })).toEqual({ kind: "store", storeId: S1 });
    expect(() => channelFilterOf({ storeId: S1, channel: "online" })).toThrow(FilterError);
  });

  it("an admin reads everything; a manager only their own store", () => {
    expect(() => checkScope({ role: "admin", storeId: null }, { kind: "all" })).not.toThrow();
    const manager = { role: "manager", storeId: S1 };
    expect(() => checkScope(manager, { kind: "store", storeId: S1 })).not.toThrow();
    expect(() => checkScope(manager, { kind: "store", storeId: S2 })).toThrow(ScopeError);
    expect(() => checkScope(manager, { kind: "all" })).toThrow(ScopeError);
    expect(() => checkScope(manager, { kind: "online" })).toThrow(ScopeError);
    expect(() => checkScope({ role: "manager", storeId: null }, { kind: "store", storeId: S1 })).toThrow(ScopeError);
  });
});
