import {
  JWKS_PATH,
  SERVICE_ACCOUNT_NAMES,
  SERVICE_ACCOUNTS,
  SERVICE_TOKEN_PATH,
  type ServiceAccountName,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
} from "@comptoir/contracts";
import { createServiceTokens, createTokenVerifier, deriveServiceCredential } from "@comptoir/platform";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectProblem, type Identity, startIdentity } from "./harness";

const SECRET = "a-test-internal-secret-of-32-chars!";
const TTL_SECONDS = 120;
/** Each account's own credential, as the launcher or `comptoir secrets credential` derives it. */
const credentialOf = (service: ServiceAccountName) => deriveServiceCredential(SECRET, service);

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
  it("are issued for the account's own credential and verify against identity's JWKS as the service account", async () => {
    const res = await ask({ service: "supply", credential: credentialOf("supply") });
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
      issuedAt: expect.any(Number),
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
    const res = await ask({ service: "cart", credential: credentialOf("cart") });
    const claims = decodeJwt(res.body.token);
    expect(claims).toMatchObject({ sub: SERVICE_ACCOUNTS.cart.id, permissions: ["stock:read"], storeId: null });
    // Retail moves its stores' stock and charges cards at its tills.
    const retail = decodeJwt((await ask({ service: "retail", credential: credentialOf("retail") })).body.token);
    expect(retail).toMatchObject({
      sub: SERVICE_ACCOUNTS.retail.id,
      svc: "retail",
      permissions: ["stock:read", "stock:adjust", "payments:read", "payments:write"],
      storeId: null,
    });
  });

  it("are obtained by the platform's ServiceTokens from identity itself", async () => {
    const tokens = createServiceTokens({
      service: "orders",
      credential: credentialOf("orders"),
      identityUrl: identity.baseUrl,
    });
    const token = await tokens.token();
    expect(decodeJwt(token)).toMatchObject({ sub: SERVICE_ACCOUNTS.orders.id, role: "service", svc: "orders" });
    expect(await tokens.token()).toBe(token);

    const refused = createServiceTokens({
      service: "orders",
      credential: credentialOf("cart"),
      identityUrl: identity.baseUrl,
    });
    await expect(refused.token()).rejects.toThrow(/SERVICE_CREDENTIAL/);
  });

  it("a service's credential obtains its own token only: cart's credential is refused for orders (401)", async () => {
    const res = await ask({ service: "orders", credential: credentialOf("cart") });
    expectProblem(res, 401, "invalid_service_credentials");
    expect(res.body).not.toHaveProperty("token");
    for (const other of ["supply", "retail"] as const) {
      expectProblem(
        await ask({ service: other, credential: credentialOf("cart") }),
        401,
        "invalid_service_credentials",
      );
    }
    expect((await ask({ service: "cart", credential: credentialOf("cart") })).status).toBe(200);
  });

  it("INTERNAL_SECRET itself is not a credential: it is refused for every account", async () => {
    for (const service of SERVICE_ACCOUNT_NAMES) {
      expectProblem(await ask({ service, credential: SECRET }), 401, "invalid_service_credentials");
    }
  });

  it("a wrong credential is a 401 invalid_service_credentials problem", async () => {
    const res = await ask({ service: "supply", credential: "not the credential" });
    expectProblem(res, 401, "invalid_service_credentials");
    expect(res.body).not.toHaveProperty("token");
    const almost = `${credentialOf("supply")}x`;
    expectProblem(await ask({ service: "supply", credential: almost }), 401, "invalid_service_credentials");
    // Derived from another INTERNAL_SECRET (another deployment, or the development default).
    const elsewhere = deriveServiceCredential(`${SECRET}x`, "supply");
    expectProblem(await ask({ service: "supply", credential: elsewhere }), 401, "invalid_service_credentials");
  });

  it("an unknown service, a missing credential, the old `secret` field or an extra field is a 400", async () => {
    expectProblem(await ask({ service: "payments", credential: SECRET }), 400, "validation_failed");
    expectProblem(await ask({ service: "supply" }), 400, "validation_failed");
    expectProblem(await ask({ service: "supply", secret: SECRET }), 400, "validation_failed");
    const extra = { service: "supply", credential: credentialOf("supply"), role: "admin" };
    expectProblem(await ask(extra), 400, "validation_failed");
  });

  it("cannot act as a user: /me is a 403 problem, a route needing a permission it lacks too", async () => {
    const { token } = (await ask({ service: "supply", credential: credentialOf("supply") })).body;
    const me = await api().get("/api/identity/me", bearer(token));
    expectProblem(me, 403, "forbidden");
    expect(me.body.detail).toMatch(/service token/);
    expectProblem(await api().patch("/api/identity/me", { name: "Supply" }, bearer(token)), 403, "forbidden");
    expectProblem(await api().get("/api/identity/users", bearer(token)), 403, "forbidden");
  });
});
