import { createHmac, generateKeyPairSync } from "node:crypto";
import { SERVICE_ACCOUNTS } from "@comptoir/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, createApp, createTokenVerifier, principalOf, requirePermission, requireUser } from "../src";
import { createTestIssuer, http, listen, type TestIssuer, testLogger } from "@comptoir/testing";

let issuer: TestIssuer;
let stranger: TestIssuer;
let app: App;
let api: ReturnType<typeof http>;

beforeAll(async () => {
  issuer = await createTestIssuer();
  stranger = await createTestIssuer();
  app = await createApp({ service: "demo", instance: "demo-1", logger: testLogger("demo"), auth: issuer.verifier });
  app.get("/api/demo/public", async (request) => ({ user: request.principal?.userId ?? null }));
  app.get("/api/demo/me", { onRequest: requireUser }, async (request) => principalOf(request));
  app.post("/api/demo/stock", { onRequest: requirePermission("stock:adjust") }, async () => ({ ok: true }));
  api = http(await listen(app));
});
afterAll(async () => {
  await app?.close();
  await issuer?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function expectInvalidToken(res: { status: number; headers: Headers; body: any }) {
  expect(res.status).toBe(401);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(res.body.code).toBe("invalid_token");
}

describe("a valid access token", () => {
  it("gives the route the caller's id, role, permissions and store", async () => {
    const token = await issuer.token({ role: "clerk", sub: "0192f5a0-0000-7000-8000-0000000000aa", storeId: "s-1" });
    const res = await api.get("/api/demo/me", bearer(token));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      userId: "0192f5a0-0000-7000-8000-0000000000aa",
      role: "clerk",
      storeId: "s-1",
      permissions: ["stock:read", "sales:create", "supply:request"],
    });
  });

  it("is optional on public routes", async () => {
    expect((await api.get("/api/demo/public")).body).toEqual({ user: null });
  });
});

describe("guards", () => {
  it("no token → 401 unauthorized on a route that needs a user", async () => {
    const res = await api.get("/api/demo/me");
    expect(res.status).toBe(401);
    expect(res.body.code).toBe("unauthorized");
  });

  it("a role without the permission → 403, with it → 200", async () => {
    const denied = await api.post("/api/demo/stock", {}, bearer(await issuer.token({ role: "clerk" })));
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe("forbidden");
    const allowed = await api.post("/api/demo/stock", {}, bearer(await issuer.token({ role: "manager" })));
    expect(allowed.status).toBe(200);
  });
});

describe("a service token", () => {
  it("names the service account, and passes a permission guard when the account holds the permission", async () => {
    const token = await issuer.token({ service: "supply" });
    await expect(issuer.verifier.verify(token)).resolves.toMatchObject({
      userId: SERVICE_ACCOUNTS.supply.id,
      role: "service",
      service: "supply",
      permissions: ["stock:read", "stock:adjust"],
      storeId: null,
    });
    expect((await api.post("/api/demo/stock", {}, bearer(token))).status).toBe(200);
    const cart = await api.post("/api/demo/stock", {}, bearer(await issuer.token({ service: "cart" })));
    expect(cart.status).toBe(403);
    expect(cart.body.code).toBe("forbidden");
  });

  it("is refused with 403 on a route that acts for a signed-in user", async () => {
    const res = await api.get("/api/demo/me", bearer(await issuer.token({ service: "orders" })));
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ code: "forbidden", detail: expect.stringMatching(/service token/) });
  });

  it("is invalid without a known account in svc, or with a sub that is not the account's id", async () => {
    const cases = [
      { role: "service", svc: undefined },
      { role: "service", svc: "payments" },
      { role: "service", svc: "toString" },
    ];
    for (const claims of cases) {
      expectInvalidToken(await api.get("/api/demo/public", bearer(await issuer.token({ claims }))));
    }
    const otherSub = await issuer.token({ service: "supply", sub: SERVICE_ACCOUNTS.orders.id });
    expectInvalidToken(await api.get("/api/demo/public", bearer(otherSub)));
  });

  it("svc on a user's token names nothing", async () => {
    const principal = await issuer.verifier.verify(await issuer.token({ role: "clerk", claims: { svc: "supply" } }));
    expect(principal.role).toBe("clerk");
    expect(principal).not.toHaveProperty("service");
  });
});

describe("tokens that must be refused with 401 invalid_token", () => {
  it("expired", async () => {
    expectInvalidToken(await api.get("/api/demo/me", bearer(await issuer.token({ expiresIn: -60 }))));
  });

  it("signed by another key", async () => {
    expectInvalidToken(await api.get("/api/demo/me", bearer(await stranger.token())));
  });

  it("with the right kid but another key's signature", async () => {
    const [header, payload] = (await issuer.token()).split(".");
    const [, , signature] = (await stranger.token()).split(".");
    expectInvalidToken(await api.get("/api/demo/me", bearer(`${header}.${payload}.${signature}`)));
  });

  it("alg: none", async () => {
    const [, payload] = (await issuer.token()).split(".");
    const token = `${b64({ alg: "none", typ: "JWT", kid: issuer.kid })}.${payload}.`;
    expectInvalidToken(await api.get("/api/demo/me", bearer(token)));
  });

  it("HS256 signed with the public key as the secret", async () => {
    const [, payload] = (await issuer.token()).split(".");
    const header = b64({ alg: "HS256", typ: "JWT", kid: issuer.kid });
    const secret = JSON.stringify(issuer.jwks.keys[0]);
    const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
    expectInvalidToken(await api.get("/api/demo/me", bearer(`${header}.${payload}.${signature}`)));
  });

  it("a tampered payload (customer promoted to admin)", async () => {
    const [header, payload, signature] = (await issuer.token({ role: "customer" })).split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    const forged = b64({ ...claims, role: "admin", permissions: ["stock:adjust"] });
    expectInvalidToken(await api.post("/api/demo/stock", {}, bearer(`${header}.${forged}.${signature}`)));
  });

  it("another issuer or audience", async () => {
    expectInvalidToken(await api.get("/api/demo/me", bearer(await issuer.token({ issuer: "someone-else" }))));
    expectInvalidToken(await api.get("/api/demo/me", bearer(await issuer.token({ audience: "other-app" }))));
  });

  it("claims of the wrong shape (unknown role, unknown permission)", async () => {
    // The issuer signs whatever it is given: the verifier must still refuse what Comptoir never issues.
    expectInvalidToken(await api.get("/api/demo/me", bearer(await issuer.token({ permissions: ["root" as never] }))));
  });

  it("garbage, and an Authorization header that is not a bearer token", async () => {
    expectInvalidToken(await api.get("/api/demo/public", bearer("not-a-jwt")));
    expectInvalidToken(await api.get("/api/demo/public", { authorization: "Basic dXNlcjpwYXNz" }));
  });
});

describe("the verifier alone", () => {
  it("fetches the JWKS by URL once and reuses it", async () => {
    const url = await issuer.serveJwks();
    const verifier = createTokenVerifier({ keys: url });
    const token = await issuer.token({ role: "manager" });
    await expect(verifier.verify(token)).resolves.toMatchObject({ role: "manager" });
    await expect(verifier.verify(await issuer.token())).resolves.toMatchObject({ role: "admin" });
  });

  it("accepts a token signed by a key published just after its last fetch (rotation), after one more fetch", async () => {
    const rotating = await createTestIssuer();
    try {
      const verifier = createTokenVerifier({ keys: await rotating.serveJwks(), cooldownMs: 1_000 });
      const before = await rotating.token({ role: "clerk" });
      await expect(verifier.verify(before)).resolves.toMatchObject({ role: "clerk" });
      await rotating.rotate();
      const after = await rotating.token({ role: "manager" });
      const started = Date.now();
      await expect(verifier.verify(after)).resolves.toMatchObject({ role: "manager" });
      expect(Date.now() - started).toBeLessThan(5_000);
      await expect(verifier.verify(before)).resolves.toMatchObject({ role: "clerk" });
      // A kid nobody published is still refused, after at most one more fetch.
      await expect(verifier.verify(await stranger.token())).rejects.toMatchObject({ code: "invalid_token" });
    } finally {
      await rotating.close();
    }
  });

  it("refuses a key of another algorithm published under a known kid", async () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = { ...publicKey.export({ format: "jwk" }), kid: "ec-1", alg: "ES256" };
    const { createLocalJWKSet } = await import("jose");
    const verifier = createTokenVerifier({ keys: createLocalJWKSet({ keys: [jwk as never] }) });
    await expect(verifier.verify(await issuer.token())).rejects.toMatchObject({ code: "invalid_token" });
  });
});
