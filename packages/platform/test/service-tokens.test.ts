import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULT_INTERNAL_SECRET, SERVICE_TOKEN_PATH } from "@comptoir/contracts";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createServiceTokens, deriveServiceCredential, developmentServiceCredential, UnavailableError } from "../src";

interface Answer {
  status: number;
  body?: unknown;
  delayMs?: number;
}

interface FakeIdentity {
  url: string;
  calls: { method: string; path: string; body: unknown }[];
  /** What the next requests get (default: a new token living `expiresIn` seconds). */
  answer: (n: number) => Answer;
}

const servers: Server[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** Stands in for identity's service-token endpoint: token `t<n>` for the n-th request. */
async function fakeIdentity(expiresIn = 300): Promise<FakeIdentity> {
  const fake: FakeIdentity = {
    url: "",
    calls: [],
    answer: (n) => ({ status: 200, body: { token: `t${n}`, expiresIn } }),
  };
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    req.on("end", () => {
      fake.calls.push({ method: req.method!, path: req.url!, body: JSON.parse(raw || "null") });
      const { status, body, delayMs } = fake.answer(fake.calls.length);
      setTimeout(() => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body ?? {}));
      }, delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** A base URL nobody listens on. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

const CREDENTIAL = "a-test-service-credential";

describe("createServiceTokens", () => {
  it("asks identity once with the service and its credential, then serves the cached token", async () => {
    const identity = await fakeIdentity();
    const tokens = createServiceTokens({ service: "supply", credential: CREDENTIAL, identityUrl: identity.url });
    for (let i = 0; i < 5; i++) expect(await tokens.token()).toBe("t1");
    expect(identity.calls).toEqual([
      { method: "POST", path: SERVICE_TOKEN_PATH, body: { service: "supply", credential: CREDENTIAL } },
    ]);
  });

  it("shares one fetch between concurrent callers (single flight)", async () => {
    const identity = await fakeIdentity();
    identity.answer = (n) => ({ status: 200, body: { token: `t${n}`, expiresIn: 300 }, delayMs: 50 });
    const tokens = createServiceTokens({ service: "orders", credential: CREDENTIAL, identityUrl: identity.url });
    const all = await Promise.all(Array.from({ length: 10 }, () => tokens.token()));
    expect(all).toEqual(Array(10).fill("t1"));
    expect(identity.calls).toHaveLength(1);
  });

  it("fetches a new token 60 s before expiry, or 20% of a short lifetime before it", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    const identity = await fakeIdentity(300);
    const tokens = createServiceTokens({ service: "retail", credential: CREDENTIAL, identityUrl: identity.url });
    expect(await tokens.token()).toBe("t1");
    vi.setSystemTime(start + 239_000);
    expect(await tokens.token()).toBe("t1");
    vi.setSystemTime(start + 241_000);
    expect(await tokens.token()).toBe("t2");
    expect(identity.calls).toHaveLength(2);

    // 100 s of life: 20% (20 s) is less than 60 s, so the refresh comes 80 s after asking.
    const short = await fakeIdentity(100);
    vi.setSystemTime(start);
    const shortTokens = createServiceTokens({ service: "cart", credential: CREDENTIAL, identityUrl: short.url });
    expect(await shortTokens.token()).toBe("t1");
    vi.setSystemTime(start + 79_000);
    expect(await shortTokens.token()).toBe("t1");
    vi.setSystemTime(start + 81_000);
    expect(await shortTokens.token()).toBe("t2");
  });

  it("honours a smaller refreshBeforeSeconds", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    const identity = await fakeIdentity(300);
    const tokens = createServiceTokens({
      service: "supply",
      credential: CREDENTIAL,
      identityUrl: identity.url,
      refreshBeforeSeconds: 10,
    });
    await tokens.token();
    vi.setSystemTime(start + 289_000);
    expect(await tokens.token()).toBe("t1");
    vi.setSystemTime(start + 291_000);
    expect(await tokens.token()).toBe("t2");
  });

  it("invalidate drops the cached token only when it is that token", async () => {
    const identity = await fakeIdentity();
    const tokens = createServiceTokens({ service: "supply", credential: CREDENTIAL, identityUrl: identity.url });
    expect(await tokens.token()).toBe("t1");
    tokens.invalidate("some-older-token");
    expect(await tokens.token()).toBe("t1");
    tokens.invalidate("t1");
    expect(await tokens.token()).toBe("t2");
    expect(identity.calls).toHaveLength(2);
  });

  it("a refused credential is a clear error naming SERVICE_CREDENTIAL, and is not remembered", async () => {
    const identity = await fakeIdentity();
    identity.answer = () => ({ status: 401, body: { code: "invalid_service_credentials" } });
    const tokens = createServiceTokens({ service: "supply", credential: "wrong", identityUrl: identity.url });
    const error = (await tokens.token().catch((e: unknown) => e)) as Error;
    expect(error).not.toBeInstanceOf(UnavailableError);
    expect(error.message).toMatch(/identity refused the service credential of "supply": SERVICE_CREDENTIAL/);
    expect(error.message).toContain("comptoir secrets credential supply");

    identity.answer = (n) => ({ status: 200, body: { token: `t${n}`, expiresIn: 300 } });
    expect(await tokens.token()).toBe("t2");
  });

  it("identity unreachable, slow or failing is a 503 UnavailableError naming it; the next call tries again", async () => {
    const dead = createServiceTokens({ service: "cart", credential: CREDENTIAL, identityUrl: await deadUrl() });
    const refused = (await dead.token().catch((e: unknown) => e)) as UnavailableError;
    expect(refused).toBeInstanceOf(UnavailableError);
    expect(refused.status).toBe(503);
    expect(refused.extensions).toEqual({ dependency: "identity" });
    expect(refused.detail).toMatch(/identity .*ECONNREFUSED/);

    const identity = await fakeIdentity();
    identity.answer = () => ({ status: 200, body: { token: "late", expiresIn: 300 }, delayMs: 300 });
    const slow = createServiceTokens({
      service: "cart",
      credential: CREDENTIAL,
      identityUrl: identity.url,
      timeoutMs: 50,
    });
    const timedOut = (await slow.token().catch((e: unknown) => e)) as UnavailableError;
    expect(timedOut).toBeInstanceOf(UnavailableError);
    expect(timedOut.detail).toMatch(/no answer within 50 ms/);

    identity.answer = () => ({ status: 503 });
    expect(await slow.token().catch((e: unknown) => e)).toBeInstanceOf(UnavailableError);
    identity.answer = () => ({ status: 200, body: { token: "fresh", expiresIn: 300 } });
    expect(await slow.token()).toBe("fresh");
  });

  it("keeps handing out a token that has not expired while a refresh fails", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    const identity = await fakeIdentity(300);
    const tokens = createServiceTokens({ service: "orders", credential: CREDENTIAL, identityUrl: identity.url });
    expect(await tokens.token()).toBe("t1");
    identity.answer = () => ({ status: 503 });
    vi.setSystemTime(start + 250_000);
    expect(await tokens.token()).toBe("t1");
    vi.setSystemTime(start + 296_000);
    expect(await tokens.token().catch((e: unknown) => e)).toBeInstanceOf(UnavailableError);
  });
});

describe("service credentials", () => {
  it("are HMAC-SHA256 of the account's name under INTERNAL_SECRET, in hex, one per account", () => {
    // printf %s comptoir-service-credential:cart | openssl dgst -sha256 -hmac abc
    expect(deriveServiceCredential("abc", "cart")).toBe(
      "8e84ddb9ea816209f3f6771401aec21a7606a06b59409bfa19174493713f106a",
    );
    expect(deriveServiceCredential("abc", "orders")).not.toBe(deriveServiceCredential("abc", "cart"));
    expect(deriveServiceCredential("abd", "cart")).not.toBe(deriveServiceCredential("abc", "cart"));
    expect(developmentServiceCredential("supply")).toBe(deriveServiceCredential(DEFAULT_INTERNAL_SECRET, "supply"));
  });
});
