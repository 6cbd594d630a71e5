import { API_KEY_RESOLVE_PATH } from "@comptoir/contracts";
import { verifyGatewayProof } from "@comptoir/platform";
import { createTestIssuer, type TestIssuer } from "@comptoir/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { apiKey, type FakeIdentity } from "./support/fake-identity";
import type { FakeUpstream } from "./support/fake-upstream";
import { GATEWAY_TEST_CREDENTIAL, type StartGatewayOptions, type TestGateway, useTestbed } from "./support/gateway";
import { rawRequest } from "./support/raw-request";

const { fakes, identity, gateway } = useTestbed();
const issuers: TestIssuer[] = [];
afterEach(async () => {
  await Promise.all(issuers.splice(0).map((i) => i.close()));
});

async function issuer(): Promise<TestIssuer> {
  const created = await createTestIssuer();
  issuers.push(created);
  return created;
}

/** A gateway in front of a fake catalog and a fake identity publishing `issuer`'s key. */
async function setup(options: Partial<StartGatewayOptions> = {}): Promise<{
  gw: TestGateway;
  catalog: FakeUpstream;
  id: FakeIdentity;
  trusted: TestIssuer;
}> {
  const [catalog] = await fakes("catalog");
  const id = await identity();
  const trusted = await issuer();
  id.jwks.keys.push(...trusted.jwks.keys);
  const gw = await gateway({
    services: { identity: [id], catalog: [catalog!] },
    ...options,
    file: { auth: { apiKeyCacheMs: 5_000 }, ...options.file },
  });
  return { gw, catalog: catalog!, id, trusted };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("bearer tokens", () => {
  it("forwards a request without a token as anonymous, with the client's address", async () => {
    const { gw } = await setup();

    const res = await gw.api.get("/api/catalog/products");

    expect(res.status).toBe(200);
    const seen = res.body.headers;
    expect(seen["x-comptoir-client-ip"]).toBe("127.0.0.1");
    for (const name of ["x-comptoir-user-id", "x-comptoir-role", "x-comptoir-consumer", "x-comptoir-tier"]) {
      expect(seen, name).not.toHaveProperty(name);
    }
  });

  it("forwards a valid token unchanged, with the verified user id and role", async () => {
    const { gw, trusted } = await setup();
    const token = await trusted.token({ role: "clerk", sub: "0190a000-0000-7000-8000-000000000001" });

    const res = await gw.api.get("/api/catalog/products", bearer(token));

    expect(res.status).toBe(200);
    expect(res.body.headers).toMatchObject({
      authorization: `Bearer ${token}`,
      "x-comptoir-user-id": "0190a000-0000-7000-8000-000000000001",
      "x-comptoir-role": "clerk",
    });
  });

  it("refuses expired, foreign, unsigned, tampered and garbage tokens with 401, never reaching the upstream", async () => {
    const { gw, catalog, trusted } = await setup();
    const stranger = await issuer();
    const valid = await trusted.token({ role: "customer" });
    const [header, payload, signature] = valid.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    const tokens = {
      expired: await trusted.token({ expiresIn: -60 }),
      "another issuer's key": await stranger.token({ role: "admin" }),
      "alg none": `${b64({ alg: "none", typ: "JWT" })}.${b64({ ...claims, role: "admin" })}.`,
      "alg none, trusted kid": `${b64({ alg: "none", kid: trusted.kid })}.${payload}.`,
      "tampered payload": `${header}.${b64({ ...claims, role: "admin", permissions: ["events:admin"] })}.${signature}`,
      "wrong audience": await trusted.token({ audience: "someone-else" }),
      garbage: "not-a-jwt",
    };

    for (const [what, token] of Object.entries(tokens)) {
      const res = await gw.api.get("/api/catalog/products", bearer(token));
      expect(res.status, what).toBe(401);
      expect(res.headers.get("content-type")).toBe("application/problem+json; charset=utf-8");
      expect(res.body, what).toMatchObject({ code: "invalid_token", status: 401 });
    }
    expect(catalog.hits).toHaveLength(0);

    const metrics = await gw.api.get("/metrics");
    expect(metrics.body).toMatch(/gateway_auth_failures_total\{reason="expired"[^}]*\} 1/);
    expect(metrics.body).toMatch(/gateway_auth_failures_total\{reason="unknown_key"[^}]*\} 1/);
  });

  it("refuses a garbage or unsigned token with 401 even before it has fetched identity's keys (not 503)", async () => {
    const { gw, id } = await setup();
    for (const token of ["not-a-jwt", `${b64({ alg: "none", typ: "JWT" })}.${b64({ role: "admin" })}.`]) {
      const res = await gw.api.get("/api/catalog/products", bearer(token));
      expect(res.status, token).toBe(401);
      expect(res.body, token).toMatchObject({ code: "invalid_token" });
    }
    expect(id.jwksFetches).toBe(0);
  });

  it("never lets client-sent x-comptoir-* headers reach the upstream", async () => {
    const { gw, trusted } = await setup();
    const forged = {
      "x-comptoir-user-id": "00000000-0000-0000-0000-000000000000",
      "x-comptoir-role": "admin",
      "x-comptoir-consumer": "forged",
      "x-comptoir-tier": "admin",
      "x-comptoir-client-ip": "6.6.6.6",
      "X-Comptoir-Anything": "else",
    };

    const anonymous = await rawRequest(`${gw.url}/api/catalog/products`, { headers: forged });
    const seenAnonymous = JSON.parse(anonymous.body.toString()).headers;
    expect(seenAnonymous["x-comptoir-user-id"]).toBeUndefined();
    expect(seenAnonymous["x-comptoir-role"]).toBeUndefined();
    expect(seenAnonymous["x-comptoir-consumer"]).toBeUndefined();
    expect(seenAnonymous["x-comptoir-anything"]).toBeUndefined();
    expect(seenAnonymous["x-comptoir-client-ip"]).toBe("127.0.0.1");

    const token = await trusted.token({ role: "customer", sub: "0190a000-0000-7000-8000-000000000002" });
    const signedIn = await gw.api.get("/api/catalog/products", { ...forged, ...bearer(token) });
    expect(signedIn.body.headers["x-comptoir-user-id"]).toBe("0190a000-0000-7000-8000-000000000002");
    expect(signedIn.body.headers["x-comptoir-role"]).toBe("customer");
    expect(signedIn.body.headers["x-comptoir-tier"]).toBeUndefined();
  });

  it("signs what it forwards with its credential, and drops a client-sent proof", async () => {
    const { gw, catalog } = await setup({ credential: "the-gateway's-own-credential" });
    const forged = {
      "x-comptoir-client-ip": "6.6.6.6",
      "x-comptoir-gateway-proof": "f".repeat(64),
      "x-comptoir-gateway-time": String(Math.floor(Date.now() / 1000)),
    };

    const res = await rawRequest(`${gw.url}/api/catalog/products?page=2`, {
      method: "POST",
      headers: { ...forged, "content-type": "application/json" },
      body: Buffer.from("{}"),
    });

    expect(res.status).toBe(200);
    const hit = catalog.hits.at(-1)!;
    expect(hit.headers["x-comptoir-client-ip"]).toBe("127.0.0.1");
    expect(hit.headers["x-comptoir-gateway-proof"]).toMatch(/^[0-9a-f]{64}$/);
    expect(hit.headers["x-comptoir-gateway-proof"]).not.toBe(forged["x-comptoir-gateway-proof"]);
    expect(hit.headers["x-request-id"]).toEqual(expect.any(String));
    // The proof covers the method, target, request id and client address the service received…
    const received = { method: hit.method, url: hit.url, headers: hit.headers };
    expect(received).toMatchObject({ method: "POST", url: "/api/catalog/products?page=2" });
    expect(verifyGatewayProof("the-gateway's-own-credential", received)).toBe(true);
    // …under the gateway's credential and no other, and for no other client address.
    expect(verifyGatewayProof(GATEWAY_TEST_CREDENTIAL, received)).toBe(false);
    const spoofed = { ...received, headers: { ...hit.headers, "x-comptoir-client-ip": "6.6.6.6" } };
    expect(verifyGatewayProof("the-gateway's-own-credential", spoofed)).toBe(false);
  });

  it("accepts a token signed by a newly published key after one JWKS refetch (key rotation)", async () => {
    const { gw, id, trusted } = await setup({ file: { auth: { jwksCooldownMs: 200 } } });
    expect((await gw.api.get("/api/catalog/a", bearer(await trusted.token()))).status).toBe(200);
    expect(id.jwksFetches).toBe(1);

    // Identity rotates: a new key signs new tokens, published next to the old one.
    const rotated = await issuer();
    id.jwks.keys.push(...rotated.jwks.keys);
    await new Promise((r) => setTimeout(r, 250));
    const fresh = await rotated.token({ role: "manager" });
    const results = await Promise.all(Array.from({ length: 5 }, () => gw.api.get("/api/catalog/b", bearer(fresh))));

    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(results[0]!.body.headers["x-comptoir-role"]).toBe("manager");
    expect(id.jwksFetches).toBe(2);
    // Old tokens still work, without another fetch.
    expect((await gw.api.get("/api/catalog/c", bearer(await trusted.token()))).status).toBe(200);
    expect(id.jwksFetches).toBe(2);
  });

  it("refetches at most once per cooldown for tokens naming unknown keys", async () => {
    const { gw, id, trusted } = await setup({ file: { auth: { jwksCooldownMs: 60_000 } } });
    expect((await gw.api.get("/api/catalog/a", bearer(await trusted.token()))).status).toBe(200);
    const stranger = await issuer();

    for (let i = 0; i < 5; i++) {
      expect((await gw.api.get("/api/catalog/a", bearer(await stranger.token()))).status).toBe(401);
    }
    expect(id.jwksFetches).toBe(1);
  });
});

describe("when identity cannot be reached", () => {
  it("answers 503 to tokens and API keys, and still serves anonymous requests", async () => {
    const { gw, id, trusted } = await setup({ healthCheck: { intervalMs: 60_000 } });
    const token = await trusted.token();
    await id.close();

    const withToken = await gw.api.get("/api/catalog/products", bearer(token));
    expect(withToken.status).toBe(503);
    expect(withToken.body).toMatchObject({ code: "service_unavailable" });
    expect(Number(withToken.headers.get("retry-after"))).toBeGreaterThan(0);
    const withKey = await gw.api.get("/api/catalog/products", { "x-api-key": apiKey("partner", "acme") });
    expect(withKey.status).toBe(503);
    expect((await gw.api.get("/api/catalog/products")).status).toBe(200);
  });
});

describe("API keys", () => {
  it("forwards the consumer and tier for a valid key and strips the key", async () => {
    const { gw, id } = await setup();
    const key = apiKey("partner", "acme");
    id.apiKeys.set(key, { id: "0190a000-0000-7000-8000-0000000000aa", name: "partner-acme", tier: "partner" });

    for (const header of ["x-api-key", "apikey"]) {
      const res = await gw.api.get("/api/catalog/products", { [header]: key });
      expect(res.status, header).toBe(200);
      expect(res.body.headers["x-comptoir-consumer"]).toBe("partner-acme");
      expect(res.body.headers["x-comptoir-tier"]).toBe("partner");
      expect(res.body.headers).not.toHaveProperty("x-api-key");
      expect(res.body.headers).not.toHaveProperty("apikey");
      expect(JSON.stringify(res.body.headers)).not.toContain(key);
    }
    // Cached: identity was asked once, with the gateway's proof (identity resolves keys for it only).
    expect(id.resolveCalls).toBe(1);
    const resolve = { method: "POST", url: API_KEY_RESOLVE_PATH, headers: id.lastResolveHeaders! };
    expect(verifyGatewayProof(GATEWAY_TEST_CREDENTIAL, resolve)).toBe(true);
  });

  it("refuses an unknown or malformed key with 401 invalid_api_key", async () => {
    const { gw, id, catalog } = await setup();

    const unknown = await gw.api.get("/api/catalog/products", { "x-api-key": apiKey("frontend", "nobody") });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ code: "invalid_api_key" });
    const malformed = await gw.api.get("/api/catalog/products", { apikey: "letmein" });
    expect(malformed.status).toBe(401);
    expect(malformed.body).toMatchObject({ code: "invalid_api_key" });

    expect(id.resolveCalls).toBe(1);
    expect(catalog.hits).toHaveLength(0);
  });

  it("stops accepting a revoked key within apiKeyCacheMs", async () => {
    const { gw, id } = await setup({ file: { auth: { apiKeyCacheMs: 300 } } });
    const key = apiKey("mobile", "app");
    id.apiKeys.set(key, { id: "0190a000-0000-7000-8000-0000000000bb", name: "mobile-app", tier: "mobile" });
    expect((await gw.api.get("/api/catalog/x", { "x-api-key": key })).status).toBe(200);

    id.apiKeys.delete(key);
    // The key was cached at the first request, before this point: once apiKeyCacheMs has passed,
    // the very next request must ask identity again and be refused, however slow the machine.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await gw.api.get("/api/catalog/x", { "x-api-key": key });
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ code: "invalid_api_key" });
  });

  it("asks identity once for many concurrent requests carrying the same new key", async () => {
    const { gw, id } = await setup();
    const key = apiKey("frontend", "shop");
    id.apiKeys.set(key, { id: "0190a000-0000-7000-8000-0000000000cc", name: "web-shop", tier: "frontend" });
    id.resolveDelayMs = 100;

    const results = await Promise.all(
      Array.from({ length: 10 }, () => gw.api.get("/api/catalog/x", { "x-api-key": key })),
    );

    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(id.resolveCalls).toBe(1);
  });
});

describe("revocation", () => {
  it("refuses a token identity revoked (its user, or its session) within seconds, and keeps other users' and sessions' tokens", async () => {
    const { gw, id, catalog, trusted } = await setup();
    const alice = "0190a000-0000-7000-8000-0000000000a1";
    const bob = "0190a000-0000-7000-8000-0000000000b0";
    const aliceToken = await trusted.token({ role: "clerk", sub: alice });
    const bobPhone = await trusted.token({ role: "customer", sub: bob, claims: { sid: "bob-phone" } });
    const bobLaptop = await trusted.token({ role: "customer", sub: bob, claims: { sid: "bob-laptop" } });
    for (const token of [aliceToken, bobPhone, bobLaptop]) {
      expect((await gw.api.get("/api/catalog/products", bearer(token))).status).toBe(200);
    }

    // Alice is deactivated (every token of hers issued until now); Bob logs out on his phone.
    const now = new Date(Date.now() + 1_000).toISOString();
    const expiresAt = new Date(Date.now() + 900_000).toISOString();
    id.revocations.push(
      { id: 1, userId: alice, sessionId: null, revokedAt: now, expiresAt },
      { id: 2, userId: bob, sessionId: "bob-phone", revokedAt: now, expiresAt },
    );
    const revokedAt = Date.now();
    await vi.waitFor(
      async () => {
        const res = await gw.api.get("/api/catalog/products", bearer(aliceToken));
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ code: "token_revoked" });
      },
      { timeout: 5_000, interval: 100 },
    );
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
    const hits = catalog.hits.length;
    expect((await gw.api.get("/api/catalog/products", bearer(bobPhone))).body).toMatchObject({ code: "token_revoked" });
    expect((await gw.api.get("/api/catalog/products", bearer(bobLaptop))).status).toBe(200);
    expect(catalog.hits.length).toBe(hits + 1);
  });
});

describe("internal and admin paths", () => {
  it("answers 404 to any public /api/<service>/internal/... request, however it is spelled", async () => {
    const { gw, id, catalog } = await setup();

    for (const path of [
      API_KEY_RESOLVE_PATH,
      "/api/catalog/internal",
      "/api/catalog/internal/stock?x=1",
      "/api/catalog/%69nternal/stock",
      "/api/catalog//internal/stock",
      "/api/catalog/./internal/stock",
      "/api/catalog/INTERNAL/stock",
      "/api/catalog/products/../internal/stock",
    ]) {
      const res = await rawRequest(`${gw.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: Buffer.from('{"key":"x"}'),
      });
      expect(res.status, path).toBe(404);
      expect(JSON.parse(res.body.toString()), path).toMatchObject({ code: "route_not_found" });
    }
    expect(catalog.hits).toHaveLength(0);
    expect(id.resolveCalls).toBe(0);
    // Paths that merely contain the word are routed.
    expect((await gw.api.get("/api/catalog/products/internal")).status).toBe(200);
    expect((await gw.api.get("/api/catalog/internals")).status).toBe(200);
  });

  it("lets /admin/ paths through only with a token holding events:admin", async () => {
    const { gw, catalog, trusted } = await setup();

    const anonymous = await gw.api.get("/api/catalog/admin/events/dead-letters");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ code: "unauthorized" });
    const clerk = await gw.api.get(
      "/api/catalog/admin/events/dead-letters",
      bearer(await trusted.token({ role: "clerk" })),
    );
    expect(clerk.status).toBe(403);
    expect(clerk.body).toMatchObject({ code: "forbidden" });
    const tricky = await gw.api.get("/api/catalog/%61dmin/events", bearer(await trusted.token({ role: "manager" })));
    expect(tricky.status).toBe(403);
    expect(catalog.hits).toHaveLength(0);

    const admin = await gw.api.get(
      "/api/catalog/admin/events/dead-letters",
      bearer(await trusted.token({ role: "admin" })),
    );
    expect(admin.status).toBe(200);
    expect(admin.body.headers["x-comptoir-role"]).toBe("admin");
    expect(catalog.hits).toHaveLength(1);
  });
});
