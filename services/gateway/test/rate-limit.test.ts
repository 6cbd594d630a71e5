import { randomUUID } from "node:crypto";
import { createTestIssuer } from "@comptoir/testing";
import { describe, expect, it } from "vitest";
import { apiKey } from "./support/fake-identity";
import { startGateway, useTestbed } from "./support/gateway";
import { rawRequest } from "./support/raw-request";

const { fakes, identity, gateway } = useTestbed();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("rate limits", () => {
  it("cuts the partner tier at its limit with 429, Retry-After and RateLimit headers, and recovers after the window", async () => {
    const [catalog] = await fakes("catalog");
    const id = await identity();
    const key = apiKey("partner", "acme");
    id.apiKeys.set(key, { id: "0190a000-0000-7000-8000-0000000000aa", name: "partner-acme", tier: "partner" });
    const gw = await gateway({
      services: { identity: [id], catalog: [catalog!] },
      // A window long enough for six requests on a loaded machine, short enough to wait out.
      file: { rateLimits: { windowMs: 3_000, tiers: { partner: 5 }, anonymous: 1_000 } },
    });

    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await gw.api.get("/api/catalog/products", { "x-api-key": key });
      expect(res.status).toBe(200);
      expect(res.headers.get("ratelimit-limit")).toBe("5");
      expect(res.headers.get("ratelimit-policy")).toBe("5;w=3");
      expect(Number(res.headers.get("ratelimit-reset"))).toBeLessThanOrEqual(3);
      remaining.push(res.headers.get("ratelimit-remaining")!);
    }
    expect(remaining).toEqual(["4", "3", "2", "1", "0"]);

    const refused = await gw.api.get("/api/catalog/products", { apikey: key });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/problem+json; charset=utf-8");
    expect(refused.body).toMatchObject({ code: "rate_limited", status: 429 });
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(3);
    expect(refused.headers.get("ratelimit-limit")).toBe("5");
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    expect(refused.headers.get("ratelimit-reset")).toBe(refused.headers.get("retry-after"));
    expect(catalog!.hits).toHaveLength(5);
    // Anonymous clients from the same address have their own budget.
    expect((await gw.api.get("/api/catalog/products")).status).toBe(200);

    await sleep(Number(refused.headers.get("retry-after")) * 1000 + 50);
    const recovered = await gw.api.get("/api/catalog/products", { "x-api-key": key });
    expect(recovered.status).toBe(200);
    expect(recovered.headers.get("ratelimit-remaining")).toBe("4");

    const metrics = await gw.api.get("/metrics");
    expect(metrics.body).toMatch(/gateway_rate_limited_total\{kind="api_key"[^}]*\} 1/);
  });

  it("limits anonymous clients per IP address, and signed-in users per user", async () => {
    const [catalog] = await fakes("catalog");
    const issuer = await createTestIssuer();
    const jwksUrl = await issuer.serveJwks();
    const gw = await gateway({
      services: { catalog: [catalog!] },
      file: { auth: { jwksUrl }, rateLimits: { windowMs: 60_000, anonymous: 3, user: 4 } },
    });
    const from = (address: string) => rawRequest(`${gw.url}/api/catalog/products`, { localAddress: address });

    const first = [];
    for (let i = 0; i < 4; i++) first.push((await from("127.0.0.1")).status);
    expect(first).toEqual([200, 200, 200, 429]);
    // Another address has its own budget.
    const other = await from("127.0.0.2");
    expect(other.status).toBe(200);
    expect(other.headers["ratelimit-remaining"]).toBe("2");

    // A signed-in user from the spent address counts against the user budget.
    const token = await issuer.token({ role: "customer" });
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await gw.api.get("/api/catalog/products", { authorization: `Bearer ${token}` })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    await issuer.close();
  });

  it("applies a route's own limits to that route only", async () => {
    const [catalog, inventory] = await fakes("catalog", "inventory");
    const gw = await gateway({
      services: { catalog: [catalog!], inventory: [inventory!] },
      file: { rateLimits: { anonymous: 100 } },
      serviceOverrides: { catalog: { rateLimit: { anonymous: 2 } } },
    });

    const catalogStatuses = [];
    for (let i = 0; i < 3; i++) catalogStatuses.push((await gw.api.get("/api/catalog/x")).status);
    expect(catalogStatuses).toEqual([200, 200, 429]);
    const inventoryRes = await gw.api.get("/api/inventory/x");
    expect(inventoryRes.status).toBe(200);
    expect(inventoryRes.headers.get("ratelimit-limit")).toBe("100");
    expect(inventoryRes.headers.get("ratelimit-remaining")).toBe("99");
  });

  it("charges a key identity must be asked about to the client's address first: made-up keys get 429, not endless 401s", async () => {
    const [catalog] = await fakes("catalog");
    const id = await identity();
    const gw = await gateway({
      services: { identity: [id], catalog: [catalog!] },
      file: { auth: { apiKeyCacheMs: 60_000 }, rateLimits: { windowMs: 60_000, anonymous: 5 } },
    });
    const statuses = [];
    for (let i = 0; i < 8; i++) {
      const res = await rawRequest(`${gw.url}/api/catalog/products`, {
        headers: { "x-api-key": apiKey("frontend", `made-up-${i}`) },
        localAddress: "127.0.0.3",
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    expect(id.resolveCalls).toBe(5);
    expect(catalog!.hits).toEqual([]);
    // Another address is not affected.
    expect((await rawRequest(`${gw.url}/api/catalog/products`, { localAddress: "127.0.0.4" })).status).toBe(200);
  });

  it("gives each client under a public key (frontend, mobile) a budget of its own, and a partner key one budget", async () => {
    const [catalog] = await fakes("catalog");
    const id = await identity();
    const shop = apiKey("frontend", "web-shop");
    const partner = apiKey("partner", "acme");
    id.apiKeys.set(shop, { id: "0190a000-0000-7000-8000-0000000000b1", name: "web-shop", tier: "frontend" });
    id.apiKeys.set(partner, { id: "0190a000-0000-7000-8000-0000000000b2", name: "acme", tier: "partner" });
    const gw = await gateway({
      services: { identity: [id], catalog: [catalog!] },
      file: {
        auth: { apiKeyCacheMs: 60_000 },
        rateLimits: { windowMs: 60_000, anonymous: 100, tiers: { frontend: 3, partner: 3 } },
      },
    });
    const call = (key: string, address: string) =>
      rawRequest(`${gw.url}/api/catalog/products`, { headers: { "x-api-key": key }, localAddress: address });

    // One abuser spends its own share of the shop's key...
    const abuser = [];
    for (let i = 0; i < 5; i++) abuser.push((await call(shop, "127.0.0.5")).status);
    expect(abuser).toEqual([200, 200, 200, 429, 429]);
    // ...and every other shopper still has theirs.
    expect((await call(shop, "127.0.0.6")).status).toBe(200);
    expect((await call(shop, "127.0.0.7")).status).toBe(200);

    // A partner's secret key is one consumer: one budget, wherever the calls come from.
    const partnerStatuses = [];
    for (const address of ["127.0.0.8", "127.0.0.9", "127.0.0.10", "127.0.0.11"]) {
      partnerStatuses.push((await call(partner, address)).status);
    }
    expect(partnerStatuses).toEqual([200, 200, 200, 429]);
  });

  it("takes the client address from X-Forwarded-For only when the peer is a trusted proxy (TRUSTED_PROXIES)", async () => {
    const [catalog] = await fakes("catalog");
    const direct = await gateway({ services: { catalog: [catalog!] }, file: { rateLimits: { anonymous: 2 } } });
    const behind = await gateway({
      services: { catalog: [catalog!] },
      file: { rateLimits: { anonymous: 2 } },
      env: { TRUSTED_PROXIES: "127.0.0.0/8" },
    });
    const via = (gw: typeof direct, client: string) =>
      rawRequest(`${gw.url}/api/catalog/products`, { headers: { "x-forwarded-for": client } });

    // Without trusted proxies, a client cannot pick its own address to escape its budget.
    const spoofed = [];
    for (const client of ["203.0.113.1", "203.0.113.2", "203.0.113.3"])
      spoofed.push((await via(direct, client)).status);
    expect(spoofed).toEqual([200, 200, 429]);
    expect(catalog!.hits.at(-1)!.headers["x-comptoir-client-ip"]).toBe("127.0.0.1");

    // Behind a trusted load balancer, every client has its own budget, and services see its address.
    const shared = [];
    for (const client of ["203.0.113.1", "203.0.113.1", "203.0.113.1", "203.0.113.2"]) {
      shared.push((await via(behind, client)).status);
    }
    expect(shared).toEqual([200, 200, 429, 200]);
    expect(catalog!.hits.at(-1)!.headers["x-comptoir-client-ip"]).toBe("203.0.113.2");
    expect(catalog!.hits.at(-1)!.headers["x-forwarded-for"]).toBe("203.0.113.2");
  });

  it("lets requests through when Redis cannot be reached (fail open), counting it", async () => {
    const [catalog] = await fakes("catalog");
    const gw = await gateway({
      services: { catalog: [catalog!] },
      file: { rateLimits: { anonymous: 1 } },
      env: { REDIS_URL: "redis://127.0.0.1:1" },
    });

    for (let i = 0; i < 3; i++) {
      const res = await gw.api.get("/api/catalog/x");
      expect(res.status).toBe(200);
      expect(res.headers.get("ratelimit-limit")).toBeNull();
    }
    const metrics = await gw.api.get("/metrics");
    expect(metrics.body).toMatch(/gateway_rate_limit_store_errors_total\{[^}]*\} 3/);
  });
});

const redisUrl = process.env.TEST_REDIS_URL;
const requireRealInfra = process.env.COMPTOIR_REQUIRE_REAL_INFRA === "1";
if (!redisUrl && !requireRealInfra) {
  console.warn("rate-limit.test.ts: TEST_REDIS_URL is not set; the shared-Redis tests are skipped");
}

describe.skipIf(!redisUrl && !requireRealInfra)("rate limits in Redis", () => {
  it("two gateways sharing one Redis share one budget", async () => {
    expect(redisUrl, "COMPTOIR_REQUIRE_REAL_INFRA=1 needs TEST_REDIS_URL (redis://host:6379)").toBeTruthy();
    const [catalog] = await fakes("catalog");
    const options = {
      services: { catalog: [catalog!] },
      // A prefix of its own: runs never see each other's counts.
      file: { rateLimits: { anonymous: 10, windowMs: 60_000, keyPrefix: `comptoir-test:${randomUUID()}:` } },
      env: { REDIS_URL: redisUrl! },
    };
    const a = await gateway(options);
    const b = await startGateway(options);
    try {
      const statuses = await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).api.get("/api/catalog/x").then((r) => r.status)),
      );
      expect(statuses.filter((s) => s === 200)).toHaveLength(10);
      expect(statuses.filter((s) => s === 429)).toHaveLength(2);
      expect(catalog!.hits).toHaveLength(10);

      const last = await b.api.get("/api/catalog/x");
      expect(last.status).toBe(429);
      expect(last.headers.get("ratelimit-limit")).toBe("10");
      expect(Number(last.headers.get("retry-after"))).toBeGreaterThan(55);
    } finally {
      await b.close();
    }
  });
});
