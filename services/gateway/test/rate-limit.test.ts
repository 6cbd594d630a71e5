import { randomUUID } from "node:crypto";
import { createTestIssuer } from "@comptoir/platform/testing";
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
      file: { rateLimits: { windowMs: 1_000, tiers: { partner: 5 }, anonymous: 1_000 } },
    });

    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await gw.api.get("/api/catalog/products", { "x-api-key": key });
      expect(res.status).toBe(200);
      expect(res.headers.get("ratelimit-limit")).toBe("5");
      expect(res.headers.get("ratelimit-policy")).toBe("5;w=1");
      expect(Number(res.headers.get("ratelimit-reset"))).toBe(1);
      remaining.push(res.headers.get("ratelimit-remaining")!);
    }
    expect(remaining).toEqual(["4", "3", "2", "1", "0"]);

    const refused = await gw.api.get("/api/catalog/products", { apikey: key });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/problem+json; charset=utf-8");
    expect(refused.body).toMatchObject({ code: "rate_limited", status: 429 });
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.headers.get("ratelimit-limit")).toBe("5");
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    expect(refused.headers.get("ratelimit-reset")).toBe("1");
    expect(catalog!.hits).toHaveLength(5);
    // Anonymous clients from the same address have their own budget.
    expect((await gw.api.get("/api/catalog/products")).status).toBe(200);

    await sleep(1_050);
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
