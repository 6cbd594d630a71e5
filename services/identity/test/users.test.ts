import { DEMO_STORES, type Role } from "@comptoir/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createUser,
  email,
  expectProblem,
  type Identity,
  login,
  type LoggedIn,
  outbox,
  PASSWORD,
  startIdentity,
  userWithRole,
} from "./harness";

const DEMO_STORE_1_ID = DEMO_STORES[0].storeId;

let identity: Identity;
let as: Record<Role, LoggedIn>;

beforeAll(async () => {
  identity = await startIdentity("identity_users");
  as = {
    admin: await userWithRole(identity, "admin"),
    manager: await userWithRole(identity, "manager", DEMO_STORE_1_ID),
    clerk: await userWithRole(identity, "clerk", DEMO_STORE_1_ID),
    customer: await userWithRole(identity, "customer"),
  };
});
afterAll(async () => identity?.close());

const api = () => identity.api;
const UNKNOWN = "01900000-0000-7000-8000-000000000000";

describe("who may manage users", () => {
  it("answers per ROLE_PERMISSIONS: only admin has users:read and users:write", async () => {
    const target = await createUser(identity);
    const expected: Record<Role, number> = { admin: 200, manager: 403, clerk: 403, customer: 403 };
    for (const role of Object.keys(expected) as Role[]) {
      const auth = as[role].auth;
      expect((await api().get("/api/identity/users", auth)).status, role).toBe(expected[role]);
      expect((await api().get(`/api/identity/users/${target.id}`, auth)).status, role).toBe(expected[role]);
      expect((await api().patch(`/api/identity/users/${target.id}`, { name: `By ${role}` }, auth)).status, role).toBe(
        expected[role],
      );
      const created = await api().post(
        "/api/identity/users",
        { name: "Staff", email: email(`by-${role}`), password: PASSWORD, role: "clerk" },
        auth,
      );
      expect(created.status, role).toBe(expected[role] === 200 ? 201 : 403);
    }
    expectProblem(await api().get("/api/identity/users"), 401, "unauthorized");
  });
});

describe("listing users", () => {
  it("pages, filters by role, active flag and text, newest first", async () => {
    const tag = `zz${Date.now().toString(36)}`;
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await createUser(identity, { role: "clerk", name: `Clerk ${tag} ${i}` }));
    await identity.db.query("UPDATE users SET active = false WHERE id = $1", [made[0]!.id]);

    const page1 = await api().get(`/api/identity/users?q=${tag}&limit=2&page=1`, as.admin.auth);
    expect(page1.status).toBe(200);
    expect(page1.body.pagination).toEqual({ page: 1, limit: 2, total: 3 });
    expect(page1.body.data.map((u: { id: string }) => u.id)).toEqual([made[2]!.id, made[1]!.id]);
    const page2 = await api().get(`/api/identity/users?q=${tag}&limit=2&page=2`, as.admin.auth);
    expect(page2.body.data.map((u: { id: string }) => u.id)).toEqual([made[0]!.id]);
    const page3 = await api().get(`/api/identity/users?q=${tag}&limit=2&page=3`, as.admin.auth);
    expect(page3.body).toEqual({ data: [], pagination: { page: 3, limit: 2, total: 3 } });

    const inactive = await api().get(`/api/identity/users?q=${tag}&active=false`, as.admin.auth);
    expect(inactive.body.data.map((u: { id: string }) => u.id)).toEqual([made[0]!.id]);
    const managers = await api().get("/api/identity/users?role=manager", as.admin.auth);
    expect(managers.body.data.every((u: { role: string }) => u.role === "manager")).toBe(true);
    const byEmail = await api().get(`/api/identity/users?q=${encodeURIComponent(as.customer.email)}`, as.admin.auth);
    expect(byEmail.body.data.map((u: { id: string }) => u.id)).toEqual([as.customer.id]);
    // LIKE wildcards are searched literally.
    expect((await api().get("/api/identity/users?q=%25", as.admin.auth)).body.pagination.total).toBe(0);
    expect(JSON.stringify(page1.body)).not.toMatch(/argon2|passwordHash/);

    expectProblem(await api().get("/api/identity/users?limit=500", as.admin.auth), 400, "validation_failed");
    expectProblem(await api().get("/api/identity/users?role=boss", as.admin.auth), 400, "validation_failed");
  });

  it("gets one user, 404 user_not_found for an unknown id", async () => {
    const res = await api().get(`/api/identity/users/${as.clerk.id}`, as.admin.auth);
    expect(res.body).toMatchObject({ id: as.clerk.id, role: "clerk", storeId: DEMO_STORE_1_ID });
    expectProblem(await api().get(`/api/identity/users/${UNKNOWN}`, as.admin.auth), 404, "user_not_found");
  });
});

describe("creating staff", () => {
  it("creates a staff member attached to a store, who can log in, and publishes identity.user.registered", async () => {
    await identity.db.query("DELETE FROM outbox");
    const address = email("newclerk");
    const res = await api().post(
      "/api/identity/users",
      { name: "Nina", email: address, password: PASSWORD, role: "clerk", storeId: DEMO_STORE_1_ID },
      as.admin.auth,
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email: address, role: "clerk", storeId: DEMO_STORE_1_ID, active: true });
    const session = await login(identity, address);
    expect(session.id).toBe(res.body.id);
    expect((await outbox(identity)).map((e) => [e.type, e.subject])).toEqual([
      ["identity.user.registered", res.body.id],
    ]);

    expectProblem(
      await api().post(
        "/api/identity/users",
        { name: "Dup", email: address.toUpperCase(), password: PASSWORD, role: "manager" },
        as.admin.auth,
      ),
      409,
      "email_taken",
    );
    expectProblem(
      await api().post(
        "/api/identity/users",
        { name: "C", email: email(), password: PASSWORD, role: "customer", storeId: DEMO_STORE_1_ID },
        as.admin.auth,
      ),
      400,
      "store_not_allowed",
    );
    expectProblem(
      await api().post(
        "/api/identity/users",
        { name: "W", email: email(), password: "weak", role: "clerk" },
        as.admin.auth,
      ),
      400,
      "weak_password",
    );
  });
});

describe("changing users", () => {
  it("changes name, role and store and publishes identity.user.updated with the changed fields and who changed them", async () => {
    const target = await createUser(identity, { role: "clerk", storeId: DEMO_STORE_1_ID });
    await identity.db.query("DELETE FROM outbox");
    const res = await api().patch(
      `/api/identity/users/${target.id}`,
      { name: "Promoted", role: "manager", storeId: null },
      as.admin.auth,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: "Promoted", role: "manager", storeId: null });
    const events = await outbox(identity);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: "identity.user.updated",
      subject: target.id,
      data: { role: "manager", storeId: null, changedFields: ["name", "role", "storeId"], updatedBy: as.admin.id },
    });
    // The next refresh carries the new role.
    const session = await login(identity, target.email);
    const payload = JSON.parse(Buffer.from(session.token.split(".")[1]!, "base64url").toString());
    expect(payload.role).toBe("manager");
  });

  it("forbids changing one's own role or deactivating oneself (403), allows renaming oneself", async () => {
    const admin = await userWithRole(identity, "admin");
    expectProblem(
      await api().patch(`/api/identity/users/${admin.id}`, { role: "customer" }, admin.auth),
      403,
      "cannot_change_own_role",
    );
    expectProblem(
      await api().patch(`/api/identity/users/${admin.id}`, { active: false }, admin.auth),
      403,
      "cannot_deactivate_self",
    );
    const same = await api().patch(`/api/identity/users/${admin.id}`, { role: "admin", name: "Me" }, admin.auth);
    expect(same.status).toBe(200);
    expect((await api().get(`/api/identity/users/${admin.id}`, admin.auth)).body).toMatchObject({
      role: "admin",
      active: true,
    });
  });

  it("answers 404 user_not_found for an unknown user and 400 for an empty change", async () => {
    expectProblem(
      await api().patch(`/api/identity/users/${UNKNOWN}`, { name: "Nobody" }, as.admin.auth),
      404,
      "user_not_found",
    );
    expectProblem(await api().patch(`/api/identity/users/${as.clerk.id}`, {}, as.admin.auth), 400, "validation_failed");
  });

  it("deactivating revokes every refresh token, blocks login and publishes identity.user.deactivated", async () => {
    const target = await createUser(identity, { role: "clerk", storeId: DEMO_STORE_1_ID });
    const one = await login(identity, target.email);
    const two = await login(identity, target.email);
    await identity.db.query("DELETE FROM outbox");

    const res = await api().patch(`/api/identity/users/${target.id}`, { active: false }, as.admin.auth);
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);

    const { rows } = await identity.db.query(
      "SELECT count(*)::int AS live FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL",
      [target.id],
    );
    expect(rows[0].live).toBe(0);
    for (const session of [one, two]) {
      expectProblem(
        await api().post("/api/identity/refresh", { refreshToken: session.refreshToken }),
        401,
        "invalid_refresh_token",
      );
    }
    expectProblem(
      await api().post("/api/identity/login", { email: target.email, password: PASSWORD }),
      401,
      "invalid_credentials",
    );
    const events = await outbox(identity);
    expect(events).toEqual([
      {
        type: "identity.user.deactivated",
        subject: target.id,
        data: {
          userId: target.id,
          email: target.email,
          name: "Test clerk",
          role: "clerk",
          storeId: DEMO_STORE_1_ID,
          language: "fr",
          active: false,
          deactivatedBy: as.admin.id,
        },
      },
    ]);

    // Reactivating is an update of `active`.
    const back = await api().patch(`/api/identity/users/${target.id}`, { active: true }, as.admin.auth);
    expect(back.body.active).toBe(true);
    expect((await outbox(identity)).at(-1)).toMatchObject({
      type: "identity.user.updated",
      data: { active: true, changedFields: ["active"] },
    });
    await login(identity, target.email);
  });
});

describe("the service surface", () => {
  it("documents its routes in /openapi.json and is ready", async () => {
    const res = await api().get("/openapi.json");
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        "/api/identity/register",
        "/api/identity/login",
        "/api/identity/refresh",
        "/api/identity/logout",
        "/api/identity/me",
        "/api/identity/me/addresses",
        "/api/identity/me/addresses/{id}",
        "/api/identity/users",
        "/api/identity/users/{id}",
        "/api/identity/api-keys",
        "/api/identity/api-keys/{id}",
        "/api/identity/.well-known/jwks.json",
        "/api/identity/admin/signing-keys/rotate",
        "/api/identity/internal/api-keys/resolve",
      ]),
    );
    expect(res.body.paths["/api/identity/login"].post.responses).toHaveProperty("429");
    const ready = await api().get("/health/ready");
    expect(ready.body).toMatchObject({ status: "ok", service: "identity" });
  });
});
