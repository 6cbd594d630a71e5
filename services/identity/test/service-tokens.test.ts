import { JWKS_PATH, SERVICE_ACCOUNTS, SERVICE_TOKEN_PATH, TOKEN_AUDIENCE, TOKEN_ISSUER } from "@comptoir/contracts";
import { createServiceTokens, createTokenVerifier } from "@comptoir/platform";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectProblem, type Identity, startIdentity } from "./harness";

const SECRET = "a-test-internal-secret-of-32-chars!";
const TTL_SECONDS = 120;

let identity: Identity;

beforeAll(async () => {
  identity = await startIdentity("identity_service_tokens", {
    internalSecret: SECRET,
    serviceTokenTtlSeconds: TTL_SECONDS,
  });
});
afterAll(async () => identity?.close());

const api = () => identity.api;
const ask = (body: unknown) => api().post(SERVICE_TOKEN_PATH, body);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("service tokens", () => {
  it("are issued for INTERNAL_SECRET and verify against identity's JWKS as the service account", async () => {
    const res = await ask({ service: "supply", secret: SECRET });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ token: expect.any(String), expiresIn: TTL_SECONDS });

    const verifier = createTokenVerifier({ keys: `${identity.baseUrl}${JWKS_PATH}`, cache: false });
    expect(await verifier.verify(res.body.token)).toEqual({
      userId: SERVICE_ACCOUNTS.supply.id,
      role: "service",
      service: "supply",
      permissions: [...SERVICE_ACCOUNTS.supply.permissions],
      storeId: null,
      tokenId: expect.any(String),
      expiresAt: expect.any(Number),
    });
    const claims = decodeJwt(res.body.token);
    expect(claims).toMatchObject({
      sub: SERVICE_ACCOUNTS.supply.id,
      svc: "supply",
      iss: TOKEN_ISSUER,
      aud: TOKEN_AUDIENCE,
    });
    expect(claims.exp! - claims.iat!).toBe(TTL_SECONDS);
    expect(decodeProtectedHeader(res.body.token)).toMatchObject({ alg: "EdDSA", typ: "JWT" });
  });

  it("carry each account's own permissions", async () => {
    const res = await ask({ service: "cart", secret: SECRET });
    const claims = decodeJwt(res.body.token);
    expect(claims).toMatchObject({ sub: SERVICE_ACCOUNTS.cart.id, permissions: ["stock:read"], storeId: null });
  });

  it("are obtained by the platform's ServiceTokens from identity itself", async () => {
    const tokens = createServiceTokens({ service: "orders", secret: SECRET, identityUrl: identity.baseUrl });
    const token = await tokens.token();
    expect(decodeJwt(token)).toMatchObject({ sub: SERVICE_ACCOUNTS.orders.id, role: "service", svc: "orders" });
    expect(await tokens.token()).toBe(token);

    const refused = createServiceTokens({ service: "orders", secret: "not the secret", identityUrl: identity.baseUrl });
    await expect(refused.token()).rejects.toThrow(/INTERNAL_SECRET/);
  });

  it("a wrong secret is a 401 invalid_service_credentials problem", async () => {
    const res = await ask({ service: "supply", secret: "not the secret" });
    expectProblem(res, 401, "invalid_service_credentials");
    expect(res.body).not.toHaveProperty("token");
    expectProblem(await ask({ service: "supply", secret: `${SECRET}x` }), 401, "invalid_service_credentials");
  });

  it("an unknown service, a missing secret or an extra field is a 400", async () => {
    expectProblem(await ask({ service: "payments", secret: SECRET }), 400, "validation_failed");
    expectProblem(await ask({ service: "supply" }), 400, "validation_failed");
    expectProblem(await ask({ service: "supply", secret: SECRET, role: "admin" }), 400, "validation_failed");
  });

  it("cannot act as a user: /me is a 403 problem, a route needing a permission it lacks too", async () => {
    const { token } = (await ask({ service: "supply", secret: SECRET })).body;
    const me = await api().get("/api/identity/me", bearer(token));
    expectProblem(me, 403, "forbidden");
    expect(me.body.detail).toMatch(/service token/);
    expectProblem(await api().patch("/api/identity/me", { name: "Supply" }, bearer(token)), 403, "forbidden");
    expectProblem(await api().get("/api/identity/users", bearer(token)), 403, "forbidden");
  });
});
