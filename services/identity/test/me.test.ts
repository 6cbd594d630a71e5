import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, expectProblem, type Identity, login, outbox, PASSWORD, startIdentity } from "./harness";

let identity: Identity;

beforeAll(async () => {
  identity = await startIdentity("identity_me");
});
afterAll(async () => identity?.close());

const api = () => identity.api;
const address = (overrides: Record<string, unknown> = {}) => ({
  name: "Jeanne Martin",
  line1: "12 rue de la Paix",
  postalCode: "75002",
  city: "Paris",
  country: "FR",
  ...overrides,
});

describe("the caller's profile", () => {
  it("GET /me returns the caller, and needs a token", async () => {
    const user = await createUser(identity);
    const session = await login(identity, user.email);
    const res = await api().get("/api/identity/me", session.auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, email: user.email, role: "customer", active: true });
    expect(res.body).not.toHaveProperty("passwordHash");
    expectProblem(await api().get("/api/identity/me"), 401, "unauthorized");
  });

  it("PATCH /me changes name and language and publishes identity.user.updated by the user", async () => {
    const user = await createUser(identity);
    const session = await login(identity, user.email);
    await identity.db.query("DELETE FROM outbox");
    const res = await api().patch("/api/identity/me", { name: "Nouveau Nom", language: "en" }, session.auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: "Nouveau Nom", language: "en" });
    const events = await outbox(identity);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: "identity.user.updated",
      subject: user.id,
      data: { name: "Nouveau Nom", language: "en", changedFields: ["name", "language"], updatedBy: user.id },
    });
    // No change, no event.
    await api().patch("/api/identity/me", { name: "Nouveau Nom" }, session.auth);
    expect(await outbox(identity)).toHaveLength(1);
    expectProblem(await api().patch("/api/identity/me", { role: "admin" }, session.auth), 400, "validation_failed");
    expectProblem(await api().patch("/api/identity/me", {}, session.auth), 400, "validation_failed");
  });

  it("changing the password needs the current one, applies the policy, and ends the other sessions only", async () => {
    const user = await createUser(identity);
    const current = await login(identity, user.email);
    const other = await login(identity, user.email);

    expectProblem(
      await api().patch("/api/identity/me", { password: "a brand new secret" }, current.auth),
      400,
      "current_password_required",
    );
    expectProblem(
      await api().patch(
        "/api/identity/me",
        { password: "a brand new secret", currentPassword: "not my password" },
        current.auth,
      ),
      400,
      "current_password_incorrect",
    );
    expectProblem(
      await api().patch("/api/identity/me", { password: "short", currentPassword: PASSWORD }, current.auth),
      400,
      "weak_password",
    );
    const res = await api().patch(
      "/api/identity/me",
      { password: "a brand new secret", currentPassword: PASSWORD },
      current.auth,
    );
    expect(res.status).toBe(200);

    expectProblem(
      await api().post("/api/identity/refresh", { refreshToken: other.refreshToken }),
      401,
      "invalid_refresh_token",
    );
    expect((await api().post("/api/identity/refresh", { refreshToken: current.refreshToken })).status).toBe(200);
    expectProblem(
      await api().post("/api/identity/login", { email: user.email, password: PASSWORD }),
      401,
      "invalid_credentials",
    );
    await login(identity, user.email, "a brand new secret");
  });

  it("of 40 parallel wrong current passwords, only the account's limit is checked; the rest, then the right one, are 429", async () => {
    const user = await createUser(identity);
    const session = await login(identity, user.email);
    const { maxFailuresPerAccount } = identity.settings.loginThrottle;
    const change = (currentPassword: string) =>
      api().patch("/api/identity/me", { password: "a brand new secret", currentPassword }, session.auth);

    const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => change(`not my password ${i}`)));
    const refused = burst.filter((r) => r.status === 400);
    expect(refused).toHaveLength(maxFailuresPerAccount);
    for (const res of refused) expectProblem(res, 400, "current_password_incorrect");
    for (const res of burst.filter((r) => r.status !== 400)) {
      expectProblem(res, 429, "too_many_attempts");
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    }

    // The right password is not told apart, and the account's budget is the one logins use.
    expectProblem(await change(PASSWORD), 429, "too_many_attempts");
    expectProblem(
      await api().post("/api/identity/login", { email: user.email, password: PASSWORD }),
      429,
      "too_many_attempts",
    );
  });
});

describe("the caller's addresses", () => {
  it("creates, lists, changes and deletes addresses", async () => {
    const session = await login(identity, (await createUser(identity)).email);
    const created = await api().post(
      "/api/identity/me/addresses",
      address({ label: "Maison", line2: "3e étage", phone: "+33 1 23 45 67 89" }),
      session.auth,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      label: "Maison",
      name: "Jeanne Martin",
      line2: "3e étage",
      country: "FR",
      phone: "+33 1 23 45 67 89",
      defaultShipping: false,
      defaultBilling: false,
    });
    expect(created.headers.get("location")).toBe(`/api/identity/me/addresses/${created.body.id}`);

    const changed = await api().patch(
      `/api/identity/me/addresses/${created.body.id}`,
      { city: "Lyon", postalCode: "69001", line2: null },
      session.auth,
    );
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ city: "Lyon", postalCode: "69001", line2: null, label: "Maison" });

    const list = await api().get("/api/identity/me/addresses", session.auth);
    expect(list.body.data.map((a: { id: string }) => a.id)).toEqual([created.body.id]);

    expect((await api().delete(`/api/identity/me/addresses/${created.body.id}`, session.auth)).status).toBe(204);
    expectProblem(
      await api().delete(`/api/identity/me/addresses/${created.body.id}`, session.auth),
      404,
      "address_not_found",
    );
    expect((await api().get("/api/identity/me/addresses", session.auth)).body.data).toEqual([]);
  });

  it("keeps one default shipping and one default billing address: a new default replaces the old one", async () => {
    const session = await login(identity, (await createUser(identity)).email);
    const a = await api().post(
      "/api/identity/me/addresses",
      address({ defaultShipping: true, defaultBilling: true }),
      session.auth,
    );
    const b = await api().post("/api/identity/me/addresses", address({ defaultShipping: true }), session.auth);
    const defaults = async () =>
      Object.fromEntries(
        (await api().get("/api/identity/me/addresses", session.auth)).body.data.map(
          (x: { id: string; defaultShipping: boolean; defaultBilling: boolean }) => [
            x.id,
            [x.defaultShipping, x.defaultBilling],
          ],
        ),
      );
    expect(await defaults()).toEqual({ [a.body.id]: [false, true], [b.body.id]: [true, false] });

    await api().patch(`/api/identity/me/addresses/${b.body.id}`, { defaultBilling: true }, session.auth);
    expect(await defaults()).toEqual({ [a.body.id]: [false, false], [b.body.id]: [true, true] });

    // Concurrent "make me the default" writes leave exactly one default.
    const more = await Promise.all(
      Array.from({ length: 5 }, () =>
        api().post("/api/identity/me/addresses", address({ defaultShipping: true }), session.auth),
      ),
    );
    expect(more.every((r) => r.status === 201)).toBe(true);
    const all = Object.values(await defaults()) as [boolean, boolean][];
    expect(all.filter(([shipping]) => shipping)).toHaveLength(1);
  });

  it("another user's address is a 404 for every operation (no BOLA)", async () => {
    const alice = await login(identity, (await createUser(identity)).email);
    const bob = await login(identity, (await createUser(identity)).email);
    const mine = await api().post("/api/identity/me/addresses", address(), alice.auth);
    const url = `/api/identity/me/addresses/${mine.body.id}`;
    expectProblem(await api().patch(url, { city: "Nice" }, bob.auth), 404, "address_not_found");
    expectProblem(await api().delete(url, bob.auth), 404, "address_not_found");
    expect((await api().get("/api/identity/me/addresses", bob.auth)).body.data).toEqual([]);
    const still = await api().get("/api/identity/me/addresses", alice.auth);
    expect(still.body.data[0]).toMatchObject({ id: mine.body.id, city: "Paris" });
  });

  it("validates addresses: required fields, ISO country codes, unknown fields", async () => {
    const session = await login(identity, (await createUser(identity)).email);
    const cases: [Record<string, unknown>, number, string, string][] = [
      [{ ...address(), name: undefined }, 400, "validation_failed", "name"],
      [address({ country: "fr" }), 400, "validation_failed", "country"],
      [address({ country: "XX" }), 400, "invalid_country", "country"],
      [address({ floor: 3 }), 400, "validation_failed", "floor"],
      [address({ phone: "call me maybe" }), 400, "validation_failed", "phone"],
    ];
    for (const [body, status, code, field] of cases) {
      const res = await api().post("/api/identity/me/addresses", body, session.auth);
      expectProblem(res, status, code);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    expectProblem(await api().post("/api/identity/me/addresses", address()), 401, "unauthorized");
  });
});
