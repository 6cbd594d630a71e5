import { ROLE_PERMISSIONS, TOKEN_AUDIENCE, TOKEN_ISSUER } from "@comptoir/contracts";
import { createTokenVerifier } from "@comptoir/platform";
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyStore } from "../src/domain/signing-keys";
import { signAccessToken } from "../src/domain/tokens";
import { createUser, expectProblem, type Identity, login, startIdentity, userWithRole } from "./harness";

let identity: Identity;

beforeAll(async () => {
  identity = await startIdentity("identity_tokens");
});
afterAll(async () => identity?.close());

const jwks = async () => {
  const res = await identity.api.get("/api/identity/.well-known/jwks.json");
  expect(res.status).toBe(200);
  return res;
};
const verifierFrom = (keys: any) => createTokenVerifier({ keys: createLocalJWKSet(keys) });

describe("access tokens", () => {
  it("verify against the published JWKS and carry the contract's claims", async () => {
    const user = await createUser(identity, { role: "clerk", storeId: "0192f5a0-0000-7000-8000-000000000001" });
    const session = await login(identity, user.email);
    const res = await jwks();
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    expect(res.body.keys).toHaveLength(1);
    expect(res.body.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
    expect(res.body.keys[0]).not.toHaveProperty("d");

    const principal = await verifierFrom(res.body).verify(session.token);
    expect(principal).toMatchObject({
      userId: user.id,
      role: "clerk",
      permissions: [...ROLE_PERMISSIONS.clerk],
      storeId: "0192f5a0-0000-7000-8000-000000000001",
    });
    const header = decodeProtectedHeader(session.token);
    expect(header).toMatchObject({ alg: "EdDSA", kid: res.body.keys[0].kid });
    const claims = decodeJwt(session.token);
    expect(claims).toMatchObject({ sub: user.id, iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE });
    expect(claims.exp! - claims.iat!).toBe(identity.settings.accessTokenTtlSeconds);
    expect(claims.jti).toEqual(expect.any(String));
  });

  it("carry the retail permissions by role: sales:discount and sales:return-unreceipted for managers, stores:manage for admins only", async () => {
    const retail = ["sales:create", "sales:discount", "sales:return-unreceipted", "stores:manage"];
    const expected = {
      admin: ["sales:create", "sales:discount", "sales:return-unreceipted", "stores:manage"],
      manager: ["sales:create", "sales:discount", "sales:return-unreceipted"],
      clerk: ["sales:create"],
      customer: [],
    } as const;
    for (const role of ["admin", "manager", "clerk", "customer"] as const) {
      const session = await userWithRole(identity, role);
      const claims = decodeJwt(session.token) as { permissions: string[] };
      expect(
        claims.permissions.filter((p) => retail.includes(p)),
        role,
      ).toEqual(expected[role]);
    }
  });

  it("a tampered or foreign token is refused with 401 invalid_token", async () => {
    const session = await userWithRole(identity, "customer");
    const [h, p, s] = session.token.split(".");
    const payload = JSON.parse(Buffer.from(p!, "base64url").toString());
    const forged = [h, Buffer.from(JSON.stringify({ ...payload, role: "admin" })).toString("base64url"), s].join(".");
    expectProblem(
      await identity.api.get("/api/identity/me", { authorization: `Bearer ${forged}` }),
      401,
      "invalid_token",
    );
    expectProblem(await identity.api.get("/api/identity/me", { authorization: "Bearer nope" }), 401, "invalid_token");
    expectProblem(await identity.api.get("/api/identity/me"), 401, "unauthorized");
  });

  it("stores private keys encrypted, readable only with KEYS_SECRET", async () => {
    const { rows } = await identity.db.query("SELECT kid, private_key_encrypted FROM signing_keys");
    for (const row of rows) {
      const bytes: Buffer = row.private_key_encrypted;
      // An unencrypted PKCS#8 Ed25519 key starts with this DER prefix.
      expect(bytes.includes(Buffer.from("302e020100300506032b6570", "hex"))).toBe(false);
    }
    const wrong = new KeyStore(identity.db, "another secret entirely, 32+ chars", 900);
    await expect(wrong.signingKey()).rejects.toThrow(/KEYS_SECRET/);
  });
});

describe("signing key rotation", () => {
  it("keeps tokens issued before a rotation valid, and signs new ones with the new key", async () => {
    const admin = await userWithRole(identity, "admin");
    const before = await userWithRole(identity, "customer");
    const oldKid = decodeProtectedHeader(before.token).kid;

    const rotated = await identity.api.post("/api/identity/admin/signing-keys/rotate", undefined, admin.auth);
    expect(rotated.status).toBe(200);
    expect(rotated.body.kid).not.toBe(oldKid);

    const keys = (await jwks()).body;
    expect(keys.keys.map((k: { kid: string }) => k.kid)).toEqual([rotated.body.kid, oldKid]);
    expect((await verifierFrom(keys).verify(before.token)).userId).toBe(before.id);
    // Identity itself still accepts the old token.
    expect((await identity.api.get("/api/identity/me", before.auth)).status).toBe(200);

    const after = await login(identity, before.email);
    expect(decodeProtectedHeader(after.token).kid).toBe(rotated.body.kid);
    expect((await verifierFrom(keys).verify(after.token)).userId).toBe(before.id);
    const refreshed = await identity.api.post("/api/identity/refresh", { refreshToken: before.refreshToken });
    expect(decodeProtectedHeader(refreshed.body.token).kid).toBe(rotated.body.kid);
  });

  it("stops publishing a key retired longer ago than the token lifetime plus grace", async () => {
    const admin = await userWithRole(identity, "admin");
    await identity.api.post("/api/identity/admin/signing-keys/rotate", undefined, admin.auth);
    await identity.db.query("UPDATE signing_keys SET retired_at = now() - interval '1 hour' WHERE status = 'retired'");
    const keys = (await jwks()).body.keys;
    expect(keys).toHaveLength(1);
    const { rows } = await identity.db.query("SELECT kid FROM signing_keys WHERE status = 'active'");
    expect(keys[0].kid).toBe(rows[0].kid);
  });

  it("is for users:write only", async () => {
    const manager = await userWithRole(identity, "manager");
    expectProblem(
      await identity.api.post("/api/identity/admin/signing-keys/rotate", undefined, manager.auth),
      403,
      "forbidden",
    );
    expectProblem(await identity.api.post("/api/identity/admin/signing-keys/rotate"), 401, "unauthorized");
  });

  it("several instances starting together create one active key; an old key is rotated at start", async () => {
    const db = identity.db;
    await db.query("DELETE FROM signing_keys");
    const stores = Array.from({ length: 5 }, () => new KeyStore(db, "comptoir-development-secret", 900));
    await Promise.all(stores.map((s) => s.ensureActiveKey(30)));
    const active = await db.query("SELECT kid FROM signing_keys WHERE status = 'active'");
    expect(active.rows).toHaveLength(1);
    expect((await db.query("SELECT count(*)::int AS n FROM signing_keys")).rows[0].n).toBe(1);

    await stores[0]!.ensureActiveKey(30);
    expect((await db.query("SELECT count(*)::int AS n FROM signing_keys")).rows[0].n).toBe(1);

    await db.query("UPDATE signing_keys SET created_at = now() - interval '31 days'");
    await Promise.all(stores.map((s) => s.ensureActiveKey(30)));
    const after = await db.query("SELECT kid, status FROM signing_keys ORDER BY created_at");
    expect(after.rows.map((r) => r.status)).toEqual(["retired", "active"]);
    expect(after.rows[0].kid).toBe(active.rows[0].kid);

    // A token signed by another instance with the new key is accepted here (unknown kid → reload).
    const user = await createUser(identity);
    const token = await signAccessToken(
      { keys: stores[1]!, settings: identity.settings },
      {
        ...user,
        name: "x",
        role: "customer",
        storeId: null,
        language: "fr",
        active: true,
        createdAt: "",
        updatedAt: "",
      },
      "0192f5a0-0000-7000-8000-0000000000ff",
    );
    expect(decodeProtectedHeader(token).kid).toBe(after.rows[1].kid);
    expect((await identity.api.get("/api/identity/me", { authorization: `Bearer ${token}` })).status).toBe(200);
  });
});
