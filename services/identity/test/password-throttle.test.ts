import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createUser, email, expectProblem, type Identity, PASSWORD, startIdentity } from "./harness";

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
  await identity.database.db.query("DELETE FROM login_failures");
});

const fromIp = (ip: string) => ({ "x-comptoir-client-ip": ip });
const loginFrom = (ip: string, emailAddress: string, password: string) =>
  identity.api.post("/api/identity/login", { email: emailAddress, password }, fromIp(ip));
const statuses = (responses: { status: number }[]) =>
  responses.reduce<Record<number, number>>((counts, r) => ({ ...counts, [r.status]: (counts[r.status] ?? 0) + 1 }), {});
/** As if `seconds` had passed for the failures recorded so far. */
const ageFailures = (seconds: number) =>
  identity.database.db.query("UPDATE login_failures SET failed_at = failed_at - make_interval(secs => $1)", [seconds]);
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
