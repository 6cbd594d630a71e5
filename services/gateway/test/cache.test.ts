import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { createResponseCache } from "../src/upstreams/response-cache";
import { useTestbed } from "./support/gateway";

const { fakes, gateway } = useTestbed();
const CACHE = { maxBytes: 1024 * 1024, maxEntryBytes: 64 * 1024 };

describe("the shared cache of public reads", () => {
  it("answers a repeated anonymous GET from memory while the service allows (s-maxage), then asks again", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({ services: { catalog: [a!] }, cache: CACHE });
    const first = await gw.api.get("/api/catalog/products/cacheable");
    expect(first.status).toBe(200);
    expect(first.headers.get("x-cache")).toBe("MISS");
    const second = await gw.api.get("/api/catalog/products/cacheable");
    expect(second.headers.get("x-cache")).toBe("HIT");
    expect(second.body).toEqual(first.body);
    expect(second.headers.get("cache-control")).toBe("public, max-age=0, s-maxage=1");
    expect(Number(second.headers.get("age"))).toBeLessThanOrEqual(1);
    // The gateway's own headers are still set on a hit.
    expect(second.headers.get("x-request-id")).toBeTruthy();
    expect(second.headers.get("x-content-type-options")).toBe("nosniff");
    expect(a!.hits.filter((h) => h.url.endsWith("/cacheable"))).toHaveLength(1);

    await sleep(1100);
    const later = await gw.api.get("/api/catalog/products/cacheable");
    expect(later.headers.get("x-cache")).toBe("MISS");
    expect(a!.hits.filter((h) => h.url.endsWith("/cacheable"))).toHaveLength(2);
    const metrics = (await gw.api.get("/metrics")).body as string;
    expect(metrics).toMatch(/gateway_cache_requests_total\{service="catalog",result="hit"[^}]*\} 1/);
    expect(metrics).toMatch(/gateway_cache_requests_total\{service="catalog",result="miss"[^}]*\} 2/);
  });

  it("never shares what the service did not mark, nor answers a request with credentials", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({ services: { catalog: [a!] }, cache: CACHE });
    const kept = (query: string) => `/api/catalog/things/cacheable?${query}`;
    const cases = [
      kept("cc=private,%20max-age=60"),
      kept("cc=no-store"),
      kept("cc=max-age=60"), // not public, no s-maxage: for the browser only
      kept("cc=public"), // no lifetime
      kept("vary=accept-language"),
      kept("cookie=1"),
      kept("status=404"),
      "/api/catalog/things/plain", // the fake's usual answer: no-store and Set-Cookie
    ];
    for (const path of cases) {
      for (let i = 0; i < 2; i++) {
        const res = await gw.api.get(path);
        expect(res.headers.get("x-cache"), path).toBeNull();
      }
    }
    expect(a!.hits).toHaveLength(cases.length * 2);

    // A request with credentials (a cookie; a bearer token likewise) goes to the service each time
    // and does not fill the cache for others.
    const path = "/api/catalog/products/cacheable?for=cookie";
    for (let i = 0; i < 2; i++) {
      expect((await gw.api.get(path, { cookie: "session=1" })).headers.get("x-cache")).toBeNull();
    }
    expect((await gw.api.get(path)).headers.get("x-cache")).toBe("MISS");
    // A client asking for a fresh answer gets one.
    expect((await gw.api.get(path, { "cache-control": "no-cache" })).headers.get("x-cache")).toBeNull();
    // Another query is another entry; writes are never cached.
    expect((await gw.api.get("/api/catalog/products/cacheable?for=other")).headers.get("x-cache")).toBe("MISS");
    expect((await gw.api.post("/api/catalog/products/cacheable", {})).headers.get("x-cache")).toBeNull();
  });

  it("is off unless configured", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({ services: { catalog: [a!] } });
    for (let i = 0; i < 2; i++) {
      expect((await gw.api.get("/api/catalog/products/cacheable")).headers.get("x-cache")).toBeNull();
    }
    expect(a!.hits).toHaveLength(2);
  });
});

describe("createResponseCache", () => {
  const entry = (bytes: number) => ({ status: 200, headers: {}, body: Buffer.alloc(bytes) });

  it("keeps at most maxBytes, dropping the oldest entries first, and refuses bodies over maxEntryBytes", () => {
    const cache = createResponseCache({ maxBytes: 250, maxEntryBytes: 120 });
    cache.set("a", entry(100), 60);
    cache.set("b", entry(100), 60);
    cache.set("c", entry(100), 60);
    expect([cache.get("a"), cache.get("b"), cache.get("c")].map(Boolean)).toEqual([false, true, true]);
    expect(cache.bytes).toBe(200);
    cache.set("d", entry(121), 60);
    expect(cache.get("d")).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it("forgets an entry once its lifetime is over", () => {
    let now = 1_000;
    const cache = createResponseCache({ maxBytes: 1000, maxEntryBytes: 1000, now: () => now });
    cache.set("a", entry(10), 2);
    now += 1_999;
    expect(cache.get("a")).toBeDefined();
    now += 1;
    expect(cache.get("a")).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });

  it("reads the lifetime a shared cache may use from the response's headers", () => {
    const cache = createResponseCache({ maxBytes: 1000, maxEntryBytes: 100 });
    const life = (control: string | undefined, extra: Record<string, string> = {}, status = 200) =>
      cache.lifetimeOf(status, { "content-length": "10", ...(control ? { "cache-control": control } : {}), ...extra });
    expect(life("public, max-age=0, s-maxage=2")).toBe(2);
    expect(life("public, max-age=30")).toBe(30);
    expect(life('s-maxage="5"')).toBe(5);
    expect(life("max-age=30")).toBe(0);
    expect(life("public, s-maxage=5, private")).toBe(0);
    expect(life("public, s-maxage=5, no-cache")).toBe(0);
    expect(life(undefined)).toBe(0);
    expect(life("public, s-maxage=5", {}, 201)).toBe(0);
    expect(life("public, s-maxage=5", { "content-length": "101" })).toBe(0);
    expect(cache.lifetimeOf(200, { "cache-control": "public, s-maxage=5" })).toBe(0); // length unknown
  });
});
