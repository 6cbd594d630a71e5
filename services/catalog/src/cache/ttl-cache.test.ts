import { describe, expect, it } from "vitest";
import { TtlCache } from "./ttl-cache";

describe("TtlCache", () => {
  it("reuses a value until it expires, then computes it again", async () => {
    let now = 0;
    let calls = 0;
    const cache = new TtlCache<number>(1000, 10, () => now);
    const compute = async () => ++calls;
    expect(await cache.get("k", compute)).toBe(1);
    now = 999;
    expect(await cache.get("k", compute)).toBe(1);
    now = 1000;
    expect(await cache.get("k", compute)).toBe(2);
  });

  it("shares one computation between concurrent misses", async () => {
    let calls = 0;
    const cache = new TtlCache<number>(1000);
    const values = await Promise.all([1, 2, 3].map(() => cache.get("k", async () => ++calls)));
    expect(values).toEqual([1, 1, 1]);
  });

  it("forgets everything on clear(), and does not store a value computed before it", async () => {
    const cache = new TtlCache<string>(1000);
    let release!: (v: string) => void;
    const slow = cache.get("k", () => new Promise<string>((r) => (release = r)));
    cache.clear();
    release("stale");
    expect(await slow).toBe("stale");
    expect(await cache.get("k", async () => "fresh")).toBe("fresh");
  });

  it("keeps at most maxEntries, dropping the oldest; a TTL of 0 never caches", async () => {
    const cache = new TtlCache<string>(1000, 2);
    for (const k of ["a", "b", "c"]) await cache.get(k, async () => k);
    expect(await cache.get("a", async () => "again")).toBe("again");
    const off = new TtlCache<number>(0);
    let n = 0;
    await off.get("k", async () => ++n);
    expect(await off.get("k", async () => ++n)).toBe(2);
  });
});
