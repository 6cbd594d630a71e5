import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createUser,
  email,
  expectProblem,
  fromGateway,
  type Identity,
  login,
  outbox,
  PASSWORD,
  startIdentity,
} from "./harness";

let identity: Identity;
const WINDOW_SECONDS = 2;

beforeAll(async () => {
  identity = await startIdentity("identity_auth", {
    loginThrottle: { maxFailuresPerAccount: 3, maxFailuresPerIp: 5, windowSeconds: WINDOW_SECONDS },
  });
});
afterAll(async () => identity?.close());
beforeEach(async () => {
  await identity.db.query("DELETE FROM login_failures");
  await identity.db.query("DELETE FROM outbox");
});

const api = () => identity.api;
/** A login's headers as the gateway sends them for a client at `ip`. */
const fromIp = (ip: string) => fromGateway(identity, "POST", "/api/identity/login", ip);

describe("registering", () => {
  it("creates a customer, answers 201 with tokens and the user, and publishes identity.user.registered", async () => {
    const address = email("Jeanne");
    const res = await api().post("/api/identity/register", {
      name: " Jeanne Martin ",
      email: address.toUpperCase(),
      password: PASSWORD,
      language: "en",
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.user).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7/),
      email: address.toLowerCase(),
      name: "Jeanne Martin",
      role: "customer",
      storeId: null,
      language: "en",
      active: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(res.body.token.split(".")).toHaveLength(3);
    expect(res.body.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(res.body)).not.toMatch(/argon2|password/i);

    const events = await outbox(identity);
    expect(events).toEqual([
      {
        type: "identity.user.registered",
        subject: res.body.user.id,
        data: {
          userId: res.body.user.id,
          email: address.toLowerCase(),
          name: "Jeanne Martin",
          role: "customer",
          storeId: null,
          language: "en",
          active: true,
        },
      },
    ]);
    const stored = await identity.db.query("SELECT password_hash FROM users WHERE id = $1", [res.body.user.id]);
    expect(stored.rows[0].password_hash).toMatch(/^\$argon2id\$/);
  });

  it("defaults the language to French", async () => {
    const res = await api().post("/api/identity/register", { name: "Paul", email: email(), password: PASSWORD });
    expect(res.body.user.language).toBe("fr");
  });

  it("refuses an e-mail already used, whatever its case, with 409 email_taken", async () => {
    const address = email("dup");
    expect((await api().post("/api/identity/register", { name: "A", email: address, password: PASSWORD })).status).toBe(
      201,
    );
    const res = await api().post("/api/identity/register", {
      name: "B",
      email: address.toUpperCase(),
      password: PASSWORD,
    });
    expectProblem(res, 409, "email_taken");
    expect(res.body.errors).toEqual([{ in: "body", field: "email", message: expect.any(String) }]);
    expect((await outbox(identity)).length).toBe(1);
  });

  it("of concurrent sign-ups with one e-mail, exactly one succeeds", async () => {
    const address = email("race");
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        api().post("/api/identity/register", { name: "Racer", email: address, password: PASSWORD }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
  });

  it("enforces the password policy with a 400 naming each broken rule", async () => {
    const address = email("weak");
    const cases: [string, RegExp][] = [
      ["short", /at least 10 characters/],
      ["aaaaaaaaaaaa", /single character/],
      [address, /e-mail/],
    ];
    for (const [password, message] of cases) {
      const res = await api().post("/api/identity/register", { name: "Weak", email: address, password });
      expectProblem(res, 400, "weak_password");
      expect(res.body.errors.every((e: { field: string }) => e.field === "password")).toBe(true);
      expect(res.body.errors.map((e: { message: string }) => e.message).join(" ")).toMatch(message);
    }
    const both = await api().post("/api/identity/register", { name: "Weak", email: address, password: "zzz" });
    expect(both.body.errors).toHaveLength(2);
  });

  it("rejects malformed bodies with per-field errors", async () => {
    const cases: [unknown, string][] = [
      [{ email: email(), password: PASSWORD }, "name"],
      [{ name: "X", email: "not-an-email", password: PASSWORD }, "email"],
      [{ name: "X", email: email() }, "password"],
      [{ name: "X", email: email(), password: PASSWORD, language: "de" }, "language"],
      [{ name: "X", email: email(), password: PASSWORD, role: "admin" }, "role"],
    ];
    for (const [body, field] of cases) {
      const res = await api().post("/api/identity/register", body);
      expectProblem(res, 400, "validation_failed");
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });
});

describe("logging in", () => {
  it("answers 200 with tokens and the user, whatever the e-mail's case", async () => {
    const user = await createUser(identity);
    const res = await api().post("/api/identity/login", { email: ` ${user.email.toUpperCase()} `, password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: user.id, email: user.email, role: "customer" });
    expect(typeof res.body.token).toBe("string");
    expect(typeof res.body.refreshToken).toBe("string");
  });

  it("answers the same 401 for an unknown e-mail, a wrong password and an inactive account", async () => {
    const user = await createUser(identity);
    const inactive = await createUser(identity);
    await identity.db.query("UPDATE users SET active = false WHERE id = $1", [inactive.id]);

    const unknown = await api().post(
      "/api/identity/login",
      { email: email("nobody"), password: PASSWORD },
      fromIp("10.0.0.1"),
    );
    const wrong = await api().post(
      "/api/identity/login",
      { email: user.email, password: "wrong password!" },
      fromIp("10.0.0.2"),
    );
    const disabled = await api().post(
      "/api/identity/login",
      { email: inactive.email, password: PASSWORD },
      fromIp("10.0.0.3"),
    );
    for (const res of [unknown, wrong, disabled]) expectProblem(res, 401, "invalid_credentials");
    const strip = (body: Record<string, unknown>) => ({ ...body, requestId: undefined, instance: undefined });
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
    expect(strip(disabled.body)).toEqual(strip(wrong.body));
  });

  it("spends comparable time on an unknown e-mail and on a wrong password (a dummy hash is verified)", async () => {
    const user = await createUser(identity);
    const time = async (body: unknown, ip: string) => {
      const started = performance.now();
      await api().post("/api/identity/login", body, fromIp(ip));
      return performance.now() - started;
    };
    await time({ email: email(), password: "warm up the dummy" }, "10.1.0.0");
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < 3; i++) {
      unknown.push(await time({ email: email("ghost"), password: "wrong password!" }, `10.1.0.${i + 1}`));
      wrong.push(await time({ email: user.email, password: `wrong password ${i}` }, `10.1.1.${i + 1}`));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[1]!;
    // Both include one argon2 verification; without the dummy the unknown e-mail would be ~10x faster.
    expect(median(unknown)).toBeGreaterThan(median(wrong) / 3);
  });

  it("throttles an account after too many failures (429 + Retry-After, even with the right password), then lets it in after the window", async () => {
    const user = await createUser(identity);
    for (let i = 0; i < 3; i++) {
      const res = await api().post(
        "/api/identity/login",
        { email: user.email, password: "wrong password!" },
        fromIp(`10.2.0.${i}`),
      );
      expectProblem(res, 401, "invalid_credentials");
    }
    const blocked = await api().post(
      "/api/identity/login",
      { email: user.email, password: PASSWORD },
      fromIp("10.2.1.1"),
    );
    expectProblem(blocked, 429, "too_many_attempts");
    const retryAfter = Number(blocked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);

    // Another account from the same address is not affected.
    const other = await createUser(identity);
    expect(
      (await api().post("/api/identity/login", { email: other.email, password: PASSWORD }, fromIp("10.2.1.1"))).status,
    ).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    expect(
      (await api().post("/api/identity/login", { email: user.email, password: PASSWORD }, fromIp("10.2.1.1"))).status,
    ).toBe(200);
  });

  it("a success clears the account's failures", async () => {
    const user = await createUser(identity);
    for (let i = 0; i < 2; i++) {
      await api().post("/api/identity/login", { email: user.email, password: "wrong password!" }, fromIp("10.3.0.1"));
    }
    await login(identity, user.email);
    for (let i = 0; i < 2; i++) {
      await api().post("/api/identity/login", { email: user.email, password: "wrong password!" }, fromIp("10.3.0.1"));
    }
    expect((await api().post("/api/identity/login", { email: user.email, password: PASSWORD })).status).toBe(200);
  });

  it("throttles a client address trying many accounts, per address (x-comptoir-client-ip)", async () => {
    const user = await createUser(identity);
    for (let i = 0; i < 5; i++) {
      const res = await api().post(
        "/api/identity/login",
        { email: email("spray"), password: "wrong password!" },
        fromIp("192.0.2.7"),
      );
      expectProblem(res, 401, "invalid_credentials");
    }
    const blocked = await api().post(
      "/api/identity/login",
      { email: user.email, password: PASSWORD },
      fromIp("192.0.2.7"),
    );
    expectProblem(blocked, 429, "too_many_attempts");
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // The same account from another address is fine.
    expect(
      (await api().post("/api/identity/login", { email: user.email, password: PASSWORD }, fromIp("192.0.2.8"))).status,
    ).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, WINDOW_SECONDS * 1000 + 100));
    expect(
      (await api().post("/api/identity/login", { email: user.email, password: PASSWORD }, fromIp("192.0.2.7"))).status,
    ).toBe(200);
  });
});

describe("refresh tokens", () => {
  it("rotate: a refresh gives a new pair and spends the old token", async () => {
    const user = await createUser(identity);
    const session = await login(identity, user.email);
    const first = await api().post("/api/identity/refresh", { refreshToken: session.refreshToken });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ token: expect.any(String), refreshToken: expect.any(String) });
    expect(first.body.refreshToken).not.toBe(session.refreshToken);
    const second = await api().post("/api/identity/refresh", { refreshToken: first.body.refreshToken });
    expect(second.status).toBe(200);
    const me = await api().get("/api/identity/me", { authorization: `Bearer ${second.body.token}` });
    expect(me.body.id).toBe(user.id);
  });

  it("reusing a spent token revokes the whole family: the newer token stops working too", async () => {
    const user = await createUser(identity);
    const session = await login(identity, user.email);
    const rotated = await api().post("/api/identity/refresh", { refreshToken: session.refreshToken });
    expect(rotated.status).toBe(200);

    expectProblem(
      await api().post("/api/identity/refresh", { refreshToken: session.refreshToken }),
      401,
      "invalid_refresh_token",
    );
    expectProblem(
      await api().post("/api/identity/refresh", { refreshToken: rotated.body.refreshToken }),
      401,
      "invalid_refresh_token",
    );
    // Another session of the same user is untouched.
    const other = await login(identity, user.email);
    expect((await api().post("/api/identity/refresh", { refreshToken: other.refreshToken })).status).toBe(200);
  });

  it("of concurrent refreshes with one token exactly one wins, and the family is then revoked", async () => {
    const user = await createUser(identity);
    for (let round = 0; round < 3; round++) {
      const session = await login(identity, user.email);
      const results = await Promise.all(
        Array.from({ length: 5 }, () => api().post("/api/identity/refresh", { refreshToken: session.refreshToken })),
      );
      const winners = results.filter((r) => r.status === 200);
      expect(winners).toHaveLength(1);
      for (const loser of results.filter((r) => r.status !== 200)) expectProblem(loser, 401, "invalid_refresh_token");
      // The losers count as reuse: the winner's new token is revoked as well.
      expect((await api().post("/api/identity/refresh", { refreshToken: winners[0]!.body.refreshToken })).status).toBe(
        401,
      );
    }
  });

  it("refuses unknown and expired tokens and those of deactivated users", async () => {
    expectProblem(
      await api().post("/api/identity/refresh", { refreshToken: "x".repeat(43) }),
      401,
      "invalid_refresh_token",
    );
    const user = await createUser(identity);
    const expired = await login(identity, user.email);
    await identity.db.query("UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1", [
      user.id,
    ]);
    const res = await api().post("/api/identity/refresh", { refreshToken: expired.refreshToken });
    expectProblem(res, 401, "invalid_refresh_token");
    expect(res.body.detail).toMatch(/expired/);

    const fresh = await login(identity, user.email);
    await identity.db.query("UPDATE users SET active = false WHERE id = $1", [user.id]);
    expectProblem(
      await api().post("/api/identity/refresh", { refreshToken: fresh.refreshToken }),
      401,
      "invalid_refresh_token",
    );
  });

  it("logout revokes the session's family, answers 204, and is idempotent", async () => {
    const user = await createUser(identity);
    const session = await login(identity, user.email);
    const rotated = await api().post("/api/identity/refresh", { refreshToken: session.refreshToken });
    expect((await api().post("/api/identity/logout", { refreshToken: rotated.body.refreshToken })).status).toBe(204);
    expect((await api().post("/api/identity/logout", { refreshToken: rotated.body.refreshToken })).status).toBe(204);
    expect((await api().post("/api/identity/logout", { refreshToken: "unknown-token" })).status).toBe(204);
    expectProblem(
      await api().post("/api/identity/refresh", { refreshToken: rotated.body.refreshToken }),
      401,
      "invalid_refresh_token",
    );
  });

  it("stores only hashes of refresh tokens", async () => {
    const user = await createUser(identity);
    const session = await login(identity, user.email);
    const { rows } = await identity.db.query("SELECT token_hash FROM refresh_tokens WHERE user_id = $1", [user.id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0].token_hash).not.toContain(session.refreshToken);
  });
});
