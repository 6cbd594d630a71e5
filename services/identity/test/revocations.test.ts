import { REVOCATIONS_PATH } from "@comptoir/contracts";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createUser, type Identity, login, PASSWORD, startIdentity, userWithRole } from "./harness";

/**
 * Access tokens live 15 minutes and are verified locally everywhere; what identity revokes before
 * then goes on its revocation list, which every verifier (identity's own included, tested here
 * through its API) reads every 2 seconds: the revoked tokens are refused within seconds.
 */
let identity: Identity;
beforeAll(async () => {
  identity = await startIdentity("revocations");
});
afterAll(() => identity?.close());
const api = () => identity.api;

/** Waits (at most 5 s) until the token is refused as revoked. */
async function refusedWithin5s(token: string) {
  const started = Date.now();
  await vi.waitFor(
    async () => {
      const res = await api().get("/api/identity/me", { authorization: `Bearer ${token}` });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: "token_revoked" });
    },
    { timeout: 5_000, interval: 100 },
  );
  return Date.now() - started;
}
const works = async (token: string) =>
  (await api().get("/api/identity/me", { authorization: `Bearer ${token}` })).status;

describe("revocation", () => {
  it("a deactivated user's tokens are refused within 5 s; reactivated, a new sign-in works", async () => {
    const admin = await userWithRole(identity, "admin");
    const clerk = await userWithRole(identity, "clerk");
    expect(await works(clerk.token)).toBe(200);

    expect((await api().patch(`/api/identity/users/${clerk.id}`, { active: false }, admin.auth)).status).toBe(200);
    expect(await refusedWithin5s(clerk.token)).toBeLessThan(5_000);
    expect(await works(admin.token)).toBe(200);

    expect((await api().patch(`/api/identity/users/${clerk.id}`, { active: true }, admin.auth)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_000)); // a token of the revocation's own second is refused too
    expect(await works((await login(identity, clerk.email)).token)).toBe(200);
  });

  it("a change of role refuses the old token (its claims are stale); the next token carries the new role", async () => {
    const admin = await userWithRole(identity, "admin");
    const clerk = await userWithRole(identity, "clerk");
    expect((await api().patch(`/api/identity/users/${clerk.id}`, { role: "manager" }, admin.auth)).status).toBe(200);
    await refusedWithin5s(clerk.token);
    await new Promise((r) => setTimeout(r, 1_000));
    const refreshed = await api().post("/api/identity/refresh", { refreshToken: clerk.refreshToken });
    expect(refreshed.status).toBe(200);
    const me = await api().get("/api/identity/me", { authorization: `Bearer ${refreshed.body.token}` });
    expect(me.body).toMatchObject({ role: "manager" });
  });

  it("logout refuses that session's access token, and only that session's", async () => {
    const user = await createUser(identity);
    const phone = await login(identity, user.email);
    const laptop = await login(identity, user.email);
    expect((await api().post("/api/identity/logout", { refreshToken: phone.refreshToken })).status).toBe(204);
    await refusedWithin5s(phone.token);
    expect(await works(laptop.token)).toBe(200);
  });

  it("a password change ends the other sessions' access tokens, and keeps the caller's", async () => {
    const user = await createUser(identity);
    const here = await login(identity, user.email);
    const elsewhere = await login(identity, user.email);
    const changed = await api().patch(
      "/api/identity/me",
      { currentPassword: PASSWORD, password: "a brand new long passphrase" },
      here.auth,
    );
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    await refusedWithin5s(elsewhere.token);
    expect(await works(here.token)).toBe(200);
  });

  it("lists what was revoked after a cursor, page by page (internal)", async () => {
    const first = await api().get(`${REVOCATIONS_PATH}?after=0`);
    expect(first.status).toBe(200);
    expect(first.body.data.length).toBeGreaterThan(0);
    expect(first.body.data[0]).toEqual({
      id: expect.any(Number),
      userId: expect.any(String),
      sessionId: null,
      revokedAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    const later = await api().get(`${REVOCATIONS_PATH}?after=${first.body.cursor}`);
    expect(later.body).toEqual({ data: [], cursor: first.body.cursor, more: false });
    expect((await api().get(`${REVOCATIONS_PATH}?after=-1`)).status).toBe(400);
  });
});
