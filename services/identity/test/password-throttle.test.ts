import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createUser, email, expectProblem, fromGateway, type Identity, PASSWORD, startIdentity } from "./harness";

let identity: Identity;
const PER_ACCOUNT = 5;
const PER_IP = 15;
// Long enough for every burst to finish inside it on a loaded machine; the window passing is simulated
// by ageing the failures (auth.test.ts waits out a real one).
const WINDOW_SECONDS = 60;

beforeAll(async () => {
  identity = await startIdentity("identity_throttle", {
    loginThrottle: { maxFailuresPerAccount: PER_ACCOUNT, maxFailuresPerIp: PER_IP, windowSeconds: WINDOW_SECONDS },
  });
});
afterAll(async () => identity?.close());
beforeEach(async () => {
  await identity.db.query("DELETE FROM login_failures");
});

/** A login from a client at `ip`, through the gateway (which proves what it says). */
const loginFrom = (ip: string, emailAddress: string, password: string) =>
  identity.api.post(
    "/api/identity/login",
    { email: emailAddress, password },
    fromGateway(identity, "POST", "/api/identity/login", ip),
  );
/** A login whose sender claims the client's address itself, without the gateway's proof. */
const loginClaiming = (ip: string, emailAddress: string, password: string, headers: Record<string, string> = {}) =>
  identity.api.post(
    "/api/identity/login",
    { email: emailAddress, password },
    { "x-comptoir-client-ip": ip, ...headers },
  );
const statuses = (responses: { status: number }[]) =>
  responses.reduce<Record<number, number>>((counts, r) => ({ ...counts, [r.status]: (counts[r.status] ?? 0) + 1 }), {});
/** As if `seconds` had passed for the failures recorded so far. */
const ageFailures = (seconds: number) =>
  identity.db.query("UPDATE login_failures SET failed_at = failed_at - make_interval(secs => $1)", [seconds]);
const expectRetryAfter = (res: { headers: Headers }) => {
  const seconds = Number(res.headers.get("retry-after"));
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(WINDOW_SECONDS);
  return seconds;
};

describe("the login throttle under parallel attempts", () => {
  it("of 40 parallel wrong passwords for one account, only the limit is checked (401), the rest are 429; the right password is then 429 until the window passes", async () => {
    const user = await createUser(identity);
    const burst = await Promise.all(
      Array.from({ length: 40 }, (_, i) => loginFrom("198.51.100.1", user.email, `wrong password ${i}`)),
    );
    expect(statuses(burst)).toEqual({ 401: PER_ACCOUNT, 429: 40 - PER_ACCOUNT });
    for (const res of burst.filter((r) => r.status === 429)) {
      expectProblem(res, 429, "too_many_attempts");
      expectRetryAfter(res);
    }

    // The right password does not get through (nor tell that it is right), from any address.
    for (const ip of ["198.51.100.1", "198.51.100.2"]) {
      expectProblem(await loginFrom(ip, user.email, PASSWORD), 429, "too_many_attempts");
    }
    const blocked = await loginFrom("198.51.100.1", user.email, PASSWORD);
    expectProblem(blocked, 429, "too_many_attempts");
    const retryAfter = expectRetryAfter(blocked);

    // Retry-After seconds later, the oldest failure has left the window: one attempt is allowed again.
    await ageFailures(retryAfter);
    expect((await loginFrom("198.51.100.1", user.email, PASSWORD)).status).toBe(200);
  });

  it("after a burst against one account, another account still logs in from the same address", async () => {
    const victim = await createUser(identity);
    const colleague = await createUser(identity);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => loginFrom("198.51.100.7", victim.email, `wrong password ${i}`)),
    );
    const res = await loginFrom("198.51.100.7", colleague.email, PASSWORD);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.user.id).toBe(colleague.id);
  });

  it("an address over its own (higher) limit is refused for every account, even with parallel attempts; other addresses are not", async () => {
    const user = await createUser(identity);
    // One guess at each of 30 accounts: the account limits never bite, the address limit does.
    const spray = await Promise.all(
      Array.from({ length: 30 }, () => loginFrom("203.0.113.9", email("spray"), "wrong password!")),
    );
    expect(statuses(spray)).toEqual({ 401: PER_IP, 429: 30 - PER_IP });

    const blocked = await loginFrom("203.0.113.9", user.email, PASSWORD);
    expectProblem(blocked, 429, "too_many_attempts");
    expectRetryAfter(blocked);
    expect((await loginFrom("203.0.113.10", user.email, PASSWORD)).status).toBe(200);
  });
});

describe("whose word on the client's address identity takes", () => {
  it("a caller claiming client addresses without the gateway's proof is throttled by its own address", async () => {
    const user = await createUser(identity);
    // 30 wrong guesses, each claiming another address, from this test's one address (the peer's).
    const spray = [];
    for (let i = 0; i < 30; i++) spray.push(await loginClaiming(`198.51.100.${100 + i}`, email("spoof"), "wrong!"));
    expect(statuses(spray)).toEqual({ 401: PER_IP, 429: 30 - PER_IP });

    // A proof the gateway made for another address is no better.
    const signedForOther = fromGateway(identity, "POST", "/api/identity/login", "198.51.100.200");
    expectProblem(
      await loginClaiming("198.51.100.201", user.email, PASSWORD, {
        "x-comptoir-gateway-proof": signedForOther["x-comptoir-gateway-proof"]!,
        "x-comptoir-gateway-time": signedForOther["x-comptoir-gateway-time"]!,
      }),
      429,
      "too_many_attempts",
    );
    // Through the gateway (a valid proof), the claimed address is the client's: not the blocked peer.
    const res = await loginFrom("198.51.100.201", user.email, PASSWORD);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  it("with the gateway's proof, failures count against the address it vouches for", async () => {
    const user = await createUser(identity);
    const spray = await Promise.all(
      Array.from({ length: PER_IP }, () => loginFrom("192.0.2.44", email("proven"), "wrong password!")),
    );
    expect(statuses(spray)).toEqual({ 401: PER_IP });
    expectProblem(await loginFrom("192.0.2.44", user.email, PASSWORD), 429, "too_many_attempts");
    // The gateway's own address (the peer's) is not the one blocked.
    expect((await identity.api.post("/api/identity/login", { email: user.email, password: PASSWORD })).status).toBe(
      200,
    );
  });
});
