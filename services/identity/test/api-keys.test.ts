import { API_KEY_PATTERN, API_KEY_RESOLVE_PATH } from "@comptoir/contracts";
import { deriveServiceCredential, developmentServiceCredential, gatewayProofHeaders } from "@comptoir/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectProblem, fromGateway, type Identity, startIdentity, userWithRole } from "./harness";

let identity: Identity;

beforeAll(async () => {
  identity = await startIdentity("identity_api_keys");
});
afterAll(async () => identity?.close());

const api = () => identity.api;
/** As the gateway resolves a key: with its proof. */
const resolve = (key: string) =>
  api().post(API_KEY_RESOLVE_PATH, { key }, fromGateway(identity, "POST", API_KEY_RESOLVE_PATH));

describe("API keys", () => {
  it("creates a key shown once, lists keys without secrets, resolves and revokes them", async () => {
    const admin = await userWithRole(identity, "admin");
    const created = await api().post("/api/identity/api-keys", { name: "partner-acme", tier: "partner" }, admin.auth);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: "partner-acme",
      tier: "partner",
      key: expect.stringMatching(new RegExp(API_KEY_PATTERN)),
      prefix: created.body.key.slice(0, "ck_partner_".length + 4),
      createdAt: expect.any(String),
    });

    const stored = await identity.db.query("SELECT * FROM api_keys WHERE id = $1", [created.body.id]);
    expect(stored.rows[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored.rows[0])).not.toContain(created.body.key);

    const list = await api().get("/api/identity/api-keys", admin.auth);
    expect(list.status).toBe(200);
    const listed = list.body.data.find((k: { id: string }) => k.id === created.body.id);
    expect(listed).toEqual({
      id: created.body.id,
      name: "partner-acme",
      tier: "partner",
      prefix: created.body.prefix,
      createdBy: admin.id,
      demo: false,
      createdAt: created.body.createdAt,
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);

    const resolved = await resolve(created.body.key);
    expect(resolved.status).toBe(200);
    expect(resolved.body).toEqual({ id: created.body.id, name: "partner-acme", tier: "partner" });

    expect((await api().delete(`/api/identity/api-keys/${created.body.id}`, admin.auth)).status).toBe(204);
    expect((await api().delete(`/api/identity/api-keys/${created.body.id}`, admin.auth)).status).toBe(204);
    expectProblem(await resolve(created.body.key), 404, "api_key_not_found");
    const after = (await api().get("/api/identity/api-keys", admin.auth)).body.data.find(
      (k: { id: string }) => k.id === created.body.id,
    );
    expect(after.revokedAt).toEqual(expect.any(String));
    expect(after.lastUsedAt).toEqual(expect.any(String));
    expectProblem(
      await api().delete("/api/identity/api-keys/01900000-0000-7000-8000-000000000000", admin.auth),
      404,
      "api_key_not_found",
    );
  });

  it("resolves unknown and malformed keys to 404", async () => {
    expectProblem(await resolve(`ck_partner_${"A".repeat(43)}`), 404, "api_key_not_found");
    expectProblem(await resolve("hello"), 404, "api_key_not_found");
    expectProblem(
      await api().post(API_KEY_RESOLVE_PATH, {}, fromGateway(identity, "POST", API_KEY_RESOLVE_PATH)),
      400,
      "validation_failed",
    );
  });

  it("resolves keys for the gateway only: a request without its valid, recent proof is refused with 401", async () => {
    const admin = await userWithRole(identity, "admin");
    const created = await api().post("/api/identity/api-keys", { name: "gateway-only", tier: "mobile" }, admin.auth);
    const { key } = created.body;
    const proof = fromGateway(identity, "POST", API_KEY_RESOLVE_PATH);
    const otherCredential = gatewayProofHeaders(developmentServiceCredential("cart"), {
      method: "POST",
      path: API_KEY_RESOLVE_PATH,
    });
    const old = gatewayProofHeaders(
      deriveServiceCredential(identity.settings.internalSecret, "gateway"),
      { method: "POST", path: API_KEY_RESOLVE_PATH },
      Date.now() - 5 * 60_000,
    );
    const unproven = {
      "no proof": {},
      "another service's credential": otherCredential,
      "a proof five minutes old": old,
      "a proof for another path": fromGateway(identity, "POST", "/api/identity/login"),
      "a forged proof": { ...proof, "x-comptoir-gateway-proof": "0".repeat(64) },
    };
    for (const [what, headers] of Object.entries(unproven)) {
      const res = await api().post(API_KEY_RESOLVE_PATH, { key }, headers);
      expectProblem(res, 401, "invalid_gateway_proof");
      expect(JSON.stringify(res.body), what).not.toContain("gateway-only");
    }
    // Refused before the body is looked at.
    expectProblem(await api().post(API_KEY_RESOLVE_PATH, {}), 401, "invalid_gateway_proof");

    const resolved = await api().post(API_KEY_RESOLVE_PATH, { key }, proof);
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ name: "gateway-only", tier: "mobile" });
    expectProblem(await resolve(`ck_mobile_${"B".repeat(43)}`), 404, "api_key_not_found");
  });

  it("records the last use at most once a minute", async () => {
    const admin = await userWithRole(identity, "admin");
    const created = await api().post("/api/identity/api-keys", { name: "mobile-app", tier: "mobile" }, admin.auth);
    const lastUsed = async () =>
      (await identity.db.query("SELECT last_used_at FROM api_keys WHERE id = $1", [created.body.id])).rows[0]
        .last_used_at as Date | null;
    expect(await lastUsed()).toBeNull();
    await resolve(created.body.key);
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await resolve(created.body.key);
    expect((await lastUsed())!.getTime()).toBe(first!.getTime());
    await identity.db.query("UPDATE api_keys SET last_used_at = now() - interval '2 minutes' WHERE id = $1", [
      created.body.id,
    ]);
    await resolve(created.body.key);
    expect((await lastUsed())!.getTime()).toBeGreaterThan(Date.now() - 30_000);
  });

  it("is for apikeys:manage only, and validates input", async () => {
    for (const role of ["manager", "clerk", "customer"] as const) {
      const user = await userWithRole(identity, role);
      expectProblem(
        await api().post("/api/identity/api-keys", { name: "x", tier: "partner" }, user.auth),
        403,
        "forbidden",
      );
      expectProblem(await api().get("/api/identity/api-keys", user.auth), 403, "forbidden");
    }
    expectProblem(await api().get("/api/identity/api-keys"), 401, "unauthorized");
    const admin = await userWithRole(identity, "admin");
    expectProblem(
      await api().post("/api/identity/api-keys", { name: "x", tier: "gold" }, admin.auth),
      400,
      "validation_failed",
    );
    expectProblem(
      await api().post("/api/identity/api-keys", { name: "x", tier: "partner", key: "mine" }, admin.auth),
      400,
      "validation_failed",
    );
  });
});
