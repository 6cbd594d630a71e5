import { createDecipheriv, createHmac, createPrivateKey, generateKeyPairSync, hkdfSync, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SignJWT } from "jose";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { call, DEMO_EMAILS, DEMO_PASSWORD, expectProblem, newCustomer, platform } from "../support/platform";

/**
 * OWASP API2:2023 Broken Authentication — tokens that must not pass (forged, unsigned, tampered,
 * expired, for another audience), the login throttle, and sessions that end (logout, a reused
 * refresh token) ending within seconds everywhere, through the gateway.
 */
const FROM = "127.0.2.1";
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where a token is checked: identity, and a service behind the gateway. */
const GUARDED = ["/api/identity/me", "/api/orders", "/api/cart/me"];

/**
 * Calls `path` with `token` until the token is refused (401), at most `ms`; the refusal, or the last
 * answer. Any other answer means the token was taken (a customer with no cart gets 404 from
 * /api/cart/me), so it is not a refusal.
 */
async function refusedWithin(path: string, token: string, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const res = await call("GET", path, { token, from: FROM });
    if (res.status === 401 || Date.now() > deadline) return res;
    await sleep(100);
  }
}

/**
 * A signer holding identity's own active key, read from the test platform's data folder (its
 * KEYS_SECRET, and the sealed key in identity's database): tokens it makes differ from identity's
 * only by the claims a test chooses, so a refusal is about those claims, not the signature.
 */
async function identitySigner() {
  const dataDir = platform().dataDir;
  const runtime = JSON.parse(readFileSync(join(dataDir, "runtime.json"), "utf8")) as { eventLogUrl: string };
  const { keysSecret } = JSON.parse(readFileSync(join(dataDir, "secrets.json"), "utf8")) as { keysSecret: string };
  const url = new URL(runtime.eventLogUrl);
  url.pathname = "/comptoir_identity";
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  const { rows } = await db
    .query<{ kid: string; sealed: Buffer }>(
      "SELECT kid, private_key_encrypted AS sealed FROM signing_keys WHERE status = 'active'",
    )
    .finally(() => db.end());
  const { kid, sealed } = rows[0]!;
  const aes = Buffer.from(hkdfSync("sha256", keysSecret, "comptoir-identity", "signing-keys/aes-256-gcm", 32));
  const decipher = createDecipheriv("aes-256-gcm", aes, sealed.subarray(0, 12));
  decipher.setAAD(Buffer.from(kid));
  decipher.setAuthTag(sealed.subarray(12, 28));
  const pkcs8 = Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
  const key = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  return (claims: Record<string, unknown>) => {
    const { iat, exp, iss, aud, ...rest } = claims as { iat: number; exp: number; iss: string; aud: string };
    return new SignJWT(rest)
      .setProtectedHeader({ alg: "EdDSA", kid, typ: "JWT" })
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setIssuer(iss)
      .setAudience(aud)
      .sign(key);
  };
}

describe("API2 broken authentication", () => {
  it("refuses forged, unsigned, tampered, key-confused and malformed tokens with 401 everywhere", async () => {
    const customer = await newCustomer(FROM);
    const [header, payload, signature] = customer.token.split(".") as [string, string, string];
    const { kid } = JSON.parse(Buffer.from(header, "base64url").toString());
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const raised = { ...claims, role: "admin", permissions: ["users:read", "users:write", "events:admin"] };
    const jwks = await call("GET", "/api/identity/.well-known/jwks.json", { from: FROM });
    const publicX = jwks.body.keys.find((k: { kid: string }) => k.kid === kid).x as string;
    const signedBy = (key: ReturnType<typeof generateKeyPairSync>["privateKey"], body: unknown) => {
      const head = b64({ alg: "EdDSA", kid, typ: "JWT" });
      const content = `${head}.${b64(body)}`;
      return `${content}.${sign(null, Buffer.from(content), key).toString("base64url")}`;
    };
    const hs256 = (secret: string) => {
      const content = `${b64({ alg: "HS256", kid, typ: "JWT" })}.${b64(raised)}`;
      return `${content}.${createHmac("sha256", secret).update(content).digest("base64url")}`;
    };
    const tokens: Record<string, string> = {
      "alg none": `${b64({ alg: "none", typ: "JWT" })}.${b64(raised)}.`,
      "alg none with identity's kid": `${b64({ alg: "none", kid, typ: "JWT" })}.${b64(raised)}.`,
      "payload raised to admin, signature kept": `${header}.${b64(raised)}.${signature}`,
      "signature stripped": `${header}.${payload}.`,
      "signed by another key under identity's kid": signedBy(generateKeyPairSync("ed25519").privateKey, raised),
      "HS256 keyed with identity's public key": hs256(publicX),
      "HS256 keyed with an empty secret": hs256(""),
      "unknown kid": `${b64({ alg: "EdDSA", kid: "00000000-0000-0000-0000-000000000000" })}.${payload}.${signature}`,
      garbage: "not-a-jwt",
      "three dots": "...",
    };
    for (const [what, forged] of Object.entries(tokens)) {
      for (const path of [...GUARDED, "/api/identity/users"]) {
        const res = await call("GET", path, { token: forged, from: FROM });
        expectProblem(res, 401, "invalid_token");
        expect(res.status, `${what} on ${path}`).toBe(401);
      }
    }
    // The genuine token still works: the refusals above are about the tokens.
    for (const path of GUARDED.slice(0, 2)) {
      expect((await call("GET", path, { token: customer.token, from: FROM })).status, path).toBe(200);
    }
  });

  it("refuses a token signed with identity's own key once it has expired, or when its issuer or audience is not Comptoir's", async () => {
    const sign = await identitySigner();
    const customer = await newCustomer(FROM);
    const claims = JSON.parse(Buffer.from(customer.token.split(".")[1]!, "base64url").toString());
    const now = Math.floor(Date.now() / 1000);
    // The same signer with valid claims is accepted: what follows is refused for its claims only.
    const fresh = await sign({ ...claims, iat: now, exp: now + 300 });
    expect((await call("GET", "/api/identity/me", { token: fresh, from: FROM })).status).toBe(200);

    const refused = {
      "expired an hour ago": await sign({ ...claims, iat: now - 4_500, exp: now - 3_600 }),
      "expired ten seconds ago": await sign({ ...claims, iat: now - 900, exp: now - 10 }),
      "another audience": await sign({ ...claims, iat: now, exp: now + 300, aud: "another-api" }),
      "another issuer": await sign({ ...claims, iat: now, exp: now + 300, iss: "https://evil.example" }),
    };
    for (const [what, token] of Object.entries(refused)) {
      for (const path of GUARDED) {
        const res = await call("GET", path, { token, from: FROM });
        expect(res.status, `${what} on ${path}`).toBe(401);
        expectProblem(res, 401, "invalid_token");
      }
    }
  });

  it("throttles logins: 40 parallel wrong passwords for one account get at most 5 × 401, then 429 with Retry-After, even for the right password", async () => {
    const from = "127.0.2.40";
    const victim = await newCustomer(from);
    const answers = await Promise.all(
      Array.from({ length: 40 }, () =>
        call("POST", "/api/identity/login", { body: { email: victim.email, password: "not the password" }, from }),
      ),
    );
    const unauthorized = answers.filter((a) => a.status === 401);
    const throttled = answers.filter((a) => a.status === 429);
    expect(unauthorized.length + throttled.length, answers.map((a) => a.status).join(" ")).toBe(40);
    expect(unauthorized.length).toBeGreaterThanOrEqual(1);
    expect(unauthorized.length).toBeLessThanOrEqual(5);
    for (const answer of unauthorized) expectProblem(answer, 401, "invalid_credentials");
    for (const answer of throttled) {
      expectProblem(answer, 429, "too_many_attempts");
      expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    // Guessing right now gains nothing, from this address or another one.
    for (const address of [from, "127.0.2.41"]) {
      const right = await call("POST", "/api/identity/login", {
        body: { email: victim.email, password: victim.password },
        from: address,
      });
      expectProblem(right, 429, "too_many_attempts");
    }
    // The throttle is the account's: another account still logs in.
    const other = await call("POST", "/api/identity/login", {
      body: { email: DEMO_EMAILS.customer, password: DEMO_PASSWORD },
      from: "127.0.2.41",
    });
    expect(other.status, other.text).toBe(200);
  });

  it("answers a wrong password and an unknown e-mail alike (no account enumeration)", async () => {
    const known = await call("POST", "/api/identity/login", {
      body: { email: DEMO_EMAILS.manager, password: "a wrong password" },
      from: "127.0.2.42",
    });
    const unknown = await call("POST", "/api/identity/login", {
      body: { email: `nobody-${Date.now()}@example.com`, password: "a wrong password" },
      from: "127.0.2.42",
    });
    expectProblem(known, 401, "invalid_credentials");
    expectProblem(unknown, 401, "invalid_credentials");
    expect(unknown.body.detail).toBe(known.body.detail);
    expect(unknown.body.title).toBe(known.body.title);
  });

  it("a logged-out session's access token is refused within 5 s on every service, and its refresh token at once", async () => {
    const customer = await newCustomer(FROM);
    for (const path of GUARDED.slice(0, 2)) {
      expect((await call("GET", path, { token: customer.token, from: FROM })).status).toBe(200);
    }
    const out = await call("POST", "/api/identity/logout", {
      body: { refreshToken: customer.refreshToken },
      from: FROM,
    });
    expect(out.status, out.text).toBe(204);

    const startedAt = Date.now();
    const refused = await refusedWithin("/api/identity/me", customer.token, 5_000);
    expectProblem(refused, 401, "token_revoked");
    expect(Date.now() - startedAt).toBeLessThan(5_500);
    for (const path of GUARDED) {
      expectProblem(await refusedWithin(path, customer.token, 5_000), 401, "token_revoked");
    }
    const refresh = await call("POST", "/api/identity/refresh", {
      body: { refreshToken: customer.refreshToken },
      from: FROM,
    });
    expectProblem(refresh, 401, "invalid_refresh_token");
  });

  it("a refresh token presented twice revokes the whole session: both refresh tokens and every access token", async () => {
    const customer = await newCustomer(FROM);
    const first = await call("POST", "/api/identity/refresh", {
      body: { refreshToken: customer.refreshToken },
      from: FROM,
    });
    expect(first.status, first.text).toBe(200);
    expect(first.body.refreshToken).not.toBe(customer.refreshToken);
    expect((await call("GET", "/api/identity/me", { token: first.body.token, from: FROM })).status).toBe(200);

    // A thief replays the spent token: refused, and the session is over for everyone.
    const replay = await call("POST", "/api/identity/refresh", {
      body: { refreshToken: customer.refreshToken },
      from: FROM,
    });
    expectProblem(replay, 401, "invalid_refresh_token");
    const next = await call("POST", "/api/identity/refresh", {
      body: { refreshToken: first.body.refreshToken },
      from: FROM,
    });
    expectProblem(next, 401, "invalid_refresh_token");
    for (const accessToken of [first.body.token as string, customer.token]) {
      expectProblem(await refusedWithin("/api/orders", accessToken, 5_000), 401, "token_revoked");
    }
  });

  it("a new password ends the other sessions, and a wrong current password changes nothing", async () => {
    const customer = await newCustomer(FROM);
    const other = await call("POST", "/api/identity/login", {
      body: { email: customer.email, password: customer.password },
      from: FROM,
    });
    expect(other.status).toBe(200);
    const wrong = await call("PATCH", "/api/identity/me", {
      token: customer.token,
      body: { password: "a brand new passphrase", currentPassword: "not the current one" },
      from: FROM,
    });
    expectProblem(wrong, 400, "current_password_incorrect");

    const changed = await call("PATCH", "/api/identity/me", {
      token: customer.token,
      body: { password: "a brand new passphrase", currentPassword: customer.password },
      from: FROM,
    });
    expect(changed.status, changed.text).toBe(200);
    expectProblem(await refusedWithin("/api/identity/me", other.body.token, 5_000), 401, "token_revoked");
    const oldPassword = await call("POST", "/api/identity/login", {
      body: { email: customer.email, password: customer.password },
      from: FROM,
    });
    expectProblem(oldPassword, 401, "invalid_credentials");
  });

  it("takes a token only as a bearer header, and refuses weak passwords at sign-up", async () => {
    const customer = await newCustomer(FROM);
    for (const path of [
      `/api/identity/me?access_token=${customer.token}`,
      `/api/identity/me?token=${customer.token}`,
    ]) {
      expectProblem(await call("GET", path, { from: FROM }), 401);
    }
    expectProblem(
      await call("GET", "/api/identity/me", { headers: { cookie: `token=${customer.token}` }, from: FROM }),
      401,
    );
    expectProblem(
      await call("GET", "/api/identity/me", { headers: { authorization: `Basic ${customer.token}` }, from: FROM }),
      401,
    );
    for (const password of ["xq7", "zzzzzzzzzzzzzzzz", ""]) {
      const email = `weak-${Date.now()}-${password.length}@example.com`;
      const res = await call("POST", "/api/identity/register", { body: { name: "Weak", email, password }, from: FROM });
      expectProblem(res, 400);
      if (password) expect(res.text).not.toContain(password);
      expectProblem(await call("POST", "/api/identity/login", { body: { email, password }, from: FROM }), 401);
    }
  });
});
