import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent, buildConnector } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { createServiceClient, createServiceTokens, type ServiceTokens, UnavailableError } from "../src";
import { probeConnection } from "../src/client/probe";
import { runWithContext } from "../src/context";

interface Fake {
  url: string;
  calls: { method: string; url: string; headers: IncomingHttpHeaders }[];
  server: Server;
}
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A real HTTP server at the edge of the test, answering with `respond(callNumber)`. */
async function fake(respond: (n: number) => { status: number; body?: unknown; delayMs?: number }): Promise<Fake> {
  const calls: Fake["calls"] = [];
  const server = createServer((req, res) => {
    calls.push({ method: req.method!, url: req.url!, headers: req.headers });
    const { status, body, delayMs } = respond(calls.length);
    setTimeout(() => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body ?? {}));
    }, delayMs ?? 0);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, server };
}

/** A port nobody listens on. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

describe("createServiceClient", () => {
  it("returns status and JSON body, with query parameters", async () => {
    const up = await fake(() => ({ status: 200, body: { ok: true } }));
    const client = createServiceClient({ target: "catalog", baseUrls: [up.url] });
    const res = await client.get("/api/catalog/variants", { ids: "a,b", skip: undefined });
    expect(res).toMatchObject({ status: 200, body: { ok: true } });
    expect(up.calls[0]!.url).toBe("/api/catalog/variants?ids=a%2Cb");
  });

  it("hands 4xx answers back to the caller without retrying", async () => {
    const up = await fake(() => ({ status: 404, body: { code: "not_found" } }));
    const client = createServiceClient({ target: "catalog", baseUrls: [up.url] });
    expect((await client.get("/x")).status).toBe(404);
    expect(up.calls).toHaveLength(1);
  });

  it("hands back a 5xx the request names as an answer: no retry, and the circuit stays closed", async () => {
    const up = await fake(() => ({ status: 504, body: { code: "payment_provider_timeout" } }));
    const client = createServiceClient({
      target: "payments",
      baseUrls: [up.url],
      breaker: { consecutiveFailures: 2 },
    });
    for (let i = 0; i < 3; i++) {
      const res = await client.request({
        method: "POST",
        path: "/pay",
        idempotencyKey: `k${i}`,
        answerStatuses: [504],
      });
      expect(res).toMatchObject({ status: 504, body: { code: "payment_provider_timeout" } });
    }
    expect(up.calls).toHaveLength(3);
    // Without it, the same answer is a failure: retried, and two in a row open the circuit (no third call).
    const error = await client.request({ method: "POST", path: "/pay", idempotencyKey: "k9" }).catch((e) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(up.calls).toHaveLength(5);
  });

  it("retries an idempotent call after a 503 and succeeds", async () => {
    const up = await fake((n) => (n < 3 ? { status: 503 } : { status: 200, body: { n } }));
    const client = createServiceClient({ target: "inventory", baseUrls: [up.url], maxRetries: 3 });
    const res = await client.get("/stock");
    expect(res.body).toEqual({ n: 3 });
    expect(up.calls).toHaveLength(3);
  });

  it("does not retry a POST that reached the service, but does retry one with an Idempotency-Key", async () => {
    const up = await fake(() => ({ status: 503 }));
    const client = createServiceClient({ target: "payments", baseUrls: [up.url], maxRetries: 2 });
    await expect(client.request({ method: "POST", path: "/charge", body: {} })).rejects.toBeInstanceOf(
      UnavailableError,
    );
    expect(up.calls).toHaveLength(1);
    await expect(
      client.request({ method: "POST", path: "/charge", body: {}, idempotencyKey: "k-1" }),
    ).rejects.toBeInstanceOf(UnavailableError);
    expect(up.calls).toHaveLength(4);
    expect(up.calls[3]!.headers["idempotency-key"]).toBe("k-1");
  });

  it("moves a refused POST to another instance (it was never sent)", async () => {
    const up = await fake(() => ({ status: 201, body: { created: true } }));
    const client = createServiceClient({ target: "orders", baseUrls: [await deadUrl(), up.url] });
    const res = await client.request({ method: "POST", path: "/orders", body: { a: 1 } });
    expect(res).toMatchObject({ status: 201, body: { created: true } });
    expect(up.calls).toHaveLength(1);
  });

  it("retries a POST the callee declares idempotent, like a GET", async () => {
    const up = await fake((n) => (n === 1 ? { status: 503 } : { status: 200, body: { n } }));
    const client = createServiceClient({ target: "inventory", baseUrls: [up.url], maxRetries: 2 });
    const res = await client.request({ method: "POST", path: "/reservations/r-1/commit", idempotent: true });
    expect(res.body).toEqual({ n: 2 });
    expect(up.calls).toHaveLength(2);
  });

  it("takes its instances as configured: one comma-separated string", async () => {
    const a = await fake(() => ({ status: 200 }));
    const b = await fake(() => ({ status: 200 }));
    const client = createServiceClient({ target: "search", baseUrls: `${a.url}, ${b.url}` });
    for (let i = 0; i < 4; i++) await client.get("/");
    expect([a.calls.length, b.calls.length]).toEqual([2, 2]);
    expect(() => createServiceClient({ target: "search", baseUrls: " , " })).toThrow(/no address configured/);
  });

  it("spreads calls over instances round-robin", async () => {
    const a = await fake(() => ({ status: 200 }));
    const b = await fake(() => ({ status: 200 }));
    const client = createServiceClient({ target: "search", baseUrls: [a.url, b.url] });
    for (let i = 0; i < 4; i++) await client.get("/");
    expect([a.calls.length, b.calls.length]).toEqual([2, 2]);
  });

  it("gives up after the timeout with a 503 that names the dependency", async () => {
    const slow = await fake(() => ({ status: 200, delayMs: 500 }));
    const client = createServiceClient({ target: "catalog", baseUrls: [slow.url], timeoutMs: 100, maxRetries: 0 });
    // No clock is read: had the client waited, the fake's 200 would have come back instead of an error.
    const error = (await client.get("/slow").catch((e: unknown) => e)) as UnavailableError;
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.status).toBe(503);
    expect(error.detail).toMatch(/catalog .*no answer within 100 ms/);
    expect(error.extensions).toEqual({ dependency: "catalog" });
  });

  it("counts a body that stalls after the headers against the same timeout, and retries a GET elsewhere", async () => {
    const stalling = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"partial":');
      setTimeout(() => res.end("true}"), 500);
    });
    await new Promise<void>((r) => stalling.listen(0, "127.0.0.1", r));
    servers.push(stalling);
    const good = await fake(() => ({ status: 200, body: { ok: true } }));
    const stallingUrl = `http://127.0.0.1:${(stalling.address() as AddressInfo).port}`;
    const client = createServiceClient({ target: "catalog", baseUrls: [stallingUrl, good.url], timeoutMs: 100 });
    expect(await client.get("/x")).toMatchObject({ status: 200, body: { ok: true } });

    const alone = createServiceClient({ target: "catalog", baseUrls: [stallingUrl], timeoutMs: 100, maxRetries: 0 });
    const error = (await alone.get("/x").catch((e: unknown) => e)) as UnavailableError;
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.detail).toMatch(/catalog .*no answer within 100 ms/);
  });

  it("opens the circuit after consecutive failures, then fails fast without calling", async () => {
    const down = await fake(() => ({ status: 500 }));
    const client = createServiceClient({
      target: "reporting",
      baseUrls: [down.url],
      maxRetries: 0,
      breaker: { consecutiveFailures: 3, halfOpenAfterMs: 60_000 },
    });
    for (let i = 0; i < 3; i++) await expect(client.get("/")).rejects.toBeInstanceOf(UnavailableError);
    const error = (await client.get("/").catch((e: unknown) => e)) as UnavailableError;
    expect(error.detail).toMatch(/circuit open/);
    expect(error.headers).toEqual({ "retry-after": "60" });
    expect(down.calls).toHaveLength(3);
  });

  it("closes the circuit again once the half-open trial call succeeds", async () => {
    let healthy = false;
    const flaky = await fake(() => (healthy ? { status: 200 } : { status: 503 }));
    const client = createServiceClient({
      target: "cart",
      baseUrls: [flaky.url],
      maxRetries: 0,
      breaker: { consecutiveFailures: 2, halfOpenAfterMs: 100 },
    });
    for (let i = 0; i < 2; i++) await expect(client.get("/")).rejects.toBeInstanceOf(UnavailableError);
    healthy = true;
    await new Promise((r) => setTimeout(r, 150));
    expect((await client.get("/")).status).toBe(200);
    expect((await client.get("/")).status).toBe(200);
  });

  describe("with two instances, one of them down (killed, stopped or stuck)", () => {
    it("sends every call to the other one, even many at once and with a single retry", async () => {
      const up = await fake(() => ({ status: 200, body: { ok: true } }));
      const client = createServiceClient({ target: "catalog", baseUrls: [await deadUrl(), up.url], maxRetries: 1 });
      for (let round = 0; round < 3; round++) {
        const answers = await Promise.all(Array.from({ length: 20 }, () => client.get("/api/catalog/variants")));
        expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
      }
      // A POST refused before it was sent moves over too.
      expect((await client.request({ method: "POST", path: "/x", body: {} })).status).toBe(200);
    });

    it("moves a read that timed out to the other instance, and skips the stuck one once its circuit opens", async () => {
      const stuck = await fake(() => ({ status: 200, delayMs: 1_000 }));
      const up = await fake(() => ({ status: 200, body: { ok: true } }));
      const client = createServiceClient({
        target: "catalog",
        baseUrls: [stuck.url, up.url],
        timeoutMs: 100,
        maxRetries: 1,
        breaker: { consecutiveFailures: 2 },
      });
      for (let i = 0; i < 10; i++) expect((await client.get("/x")).status).toBe(200);
      // The stuck instance had its two failures, then its circuit kept calls away from it.
      expect(stuck.calls.length).toBe(2);
      expect(up.calls.length).toBe(10);
    });

    it("calls an instance again within about a second of its fault ending (a circuit per instance, half-open after 1 s)", async () => {
      let healthy = false;
      const flaky = await fake(() => (healthy ? { status: 200, body: { ok: true } } : { status: 503 }));
      const client = createServiceClient({ target: "catalog", baseUrls: [flaky.url], maxRetries: 0 });
      for (let i = 0; i < 8; i++) await expect(client.get("/x")).rejects.toBeInstanceOf(UnavailableError);
      const open = (await client.get("/x").catch((e: unknown) => e)) as UnavailableError;
      expect(open.detail).toMatch(/circuit open/);
      expect(open.headers).toEqual({ "retry-after": "1" });
      healthy = true;
      const ended = Date.now();
      for (;;) {
        const res = await client.get("/x").catch((e: unknown) => e);
        if (!(res instanceof Error)) break;
        expect(Date.now() - ended).toBeLessThan(2_000);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(Date.now() - ended).toBeLessThan(1_500);
    });
  });

  it("passes the request id and the trace (with a new span) to the callee", async () => {
    const up = await fake(() => ({ status: 200 }));
    const client = createServiceClient({ target: "identity", baseUrls: [up.url] });
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    await runWithContext({ requestId: "req-9", traceId, spanId: "00f067aa0ba902b7", traceFlags: "01" }, () =>
      client.get("/me"),
    );
    expect(up.calls[0]!.headers["x-request-id"]).toBe("req-9");
    expect(up.calls[0]!.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-(?!00f067aa0ba902b7)[0-9a-f]{16}-01$`));
  });

  describe("with a service token", () => {
    /**
     * The real token source (createServiceTokens) against a server standing in for identity's
     * endpoint, which hands out t1, t2… one per request: a new fetch means the old token was dropped.
     */
    async function identityTokens(): Promise<{ tokens: ServiceTokens; issued: Fake["calls"] }> {
      const identity = await fake((n) => ({ status: 200, body: { token: `t${n}`, expiresIn: 300 } }));
      const tokens = createServiceTokens({
        service: "supply",
        credential: "a-test-credential",
        identityUrl: identity.url,
      });
      return { tokens, issued: identity.calls };
    }

    it("sends it as a bearer token on every attempt", async () => {
      const up = await fake((n) => (n < 2 ? { status: 503 } : { status: 200 }));
      const { tokens, issued } = await identityTokens();
      const client = createServiceClient({ target: "inventory", baseUrls: [up.url], auth: tokens });
      expect((await client.get("/stock")).status).toBe(200);
      expect(up.calls.map((c) => c.headers.authorization)).toEqual(["Bearer t1", "Bearer t1"]);
      expect(issued).toHaveLength(1);
    });

    it("after a 401, drops the token and tries once more with a fresh one, even a POST", async () => {
      const up = await fake((n) => (n === 1 ? { status: 401 } : { status: 201, body: { ok: true } }));
      const { tokens, issued } = await identityTokens();
      const client = createServiceClient({ target: "inventory", baseUrls: [up.url], auth: tokens });
      const res = await client.request({ method: "POST", path: "/movements", body: {} });
      expect(res).toMatchObject({ status: 201, body: { ok: true } });
      expect(up.calls.map((c) => c.headers.authorization)).toEqual(["Bearer t1", "Bearer t2"]);
      // t1 was dropped: the source asked identity for a second token.
      expect(issued).toHaveLength(2);
    });

    it("returns a second 401 as it is, without looping", async () => {
      const up = await fake(() => ({ status: 401, body: { code: "invalid_token" } }));
      const { tokens } = await identityTokens();
      const client = createServiceClient({ target: "inventory", baseUrls: [up.url], auth: tokens });
      expect(await client.get("/stock")).toMatchObject({ status: 401, body: { code: "invalid_token" } });
      expect(up.calls).toHaveLength(2);
    });

    it("leaves a request's own Authorization header alone (a user's token passed along)", async () => {
      const up = await fake(() => ({ status: 401 }));
      const { tokens, issued } = await identityTokens();
      const client = createServiceClient({ target: "inventory", baseUrls: [up.url], auth: tokens });
      const res = await client.request({ method: "GET", path: "/stock", headers: { Authorization: "Bearer user" } });
      expect(res.status).toBe(401);
      expect(up.calls.map((c) => c.headers.authorization)).toEqual(["Bearer user"]);
      // No service token was fetched, so none was dropped either.
      expect(issued).toHaveLength(0);
    });

    it("fails with identity's 503 when no token can be had, without counting it against the target", async () => {
      const up = await fake(() => ({ status: 200 }));
      // Identity cannot be reached: the real token source fails with its 503.
      const down = createServiceTokens({
        service: "supply",
        credential: "a-test-credential",
        identityUrl: await deadUrl(),
      });
      const client = createServiceClient({
        target: "inventory",
        baseUrls: [up.url],
        auth: down,
        breaker: { consecutiveFailures: 1 },
      });
      for (let i = 0; i < 2; i++) {
        const error = (await client.get("/stock").catch((e: unknown) => e)) as UnavailableError;
        expect(error.extensions).toEqual({ dependency: "identity" });
      }
      expect(up.calls).toHaveLength(0);
    });
  });
});

describe("an instance whose host is cut off the network", () => {
  it("is given up on by every call waiting on it once one call cannot connect: a read moves on, a write fails at once", async () => {
    // The instance about to be cut holds every request (nothing comes back over a cut link); the
    // other answers. After the cut, no new connection to it opens (the connector times out, as a
    // SYN to a cut-off host does), while the connections already open just hang.
    const held: (() => void)[] = [];
    const cutServer = createServer((_req, res) => {
      held.push(() => res.writeHead(200, { "content-type": "application/json" }).end('{"instance":"cut"}'));
    });
    await new Promise<void>((r) => cutServer.listen(0, "127.0.0.1", r));
    servers.push(cutServer);
    const cutPort = (cutServer.address() as AddressInfo).port;
    const other = await fake(() => ({ status: 200, body: { instance: "other" } }));
    let cut = false;
    const direct = buildConnector({});
    const agent = new Agent({
      connect: (opts, callback) => {
        if (cut && Number(opts.port) === cutPort) {
          setTimeout(
            () => callback(Object.assign(new Error("connect timeout"), { code: "UND_ERR_CONNECT_TIMEOUT" }), null),
            20,
          );
          return;
        }
        direct(opts, callback);
      },
    });
    const client = createServiceClient({
      target: "payments",
      baseUrls: [`http://127.0.0.1:${cutPort}`, other.url],
      timeoutMs: 10_000,
      dispatcher: agent,
    });

    const read = client.get<{ instance: string }>("/read"); // round-robin: the first instance
    const write = client.request({ method: "POST", path: "/write", body: {} }); // the second
    // (Its failure is caught at once: it may come before the assertions below reach it.)
    const write2 = client.request({ method: "POST", path: "/write", body: {} }).catch((e: unknown) => e); // the first again
    await expect.poll(() => held.length).toBe(2);
    expect(await write).toMatchObject({ status: 200, body: { instance: "other" } });
    cut = true;
    const started = performance.now();
    // Round-robin: of the next two calls, one goes to the cut instance, needs a new connection (its
    // two are busy), cannot open one, and is sent to the other: everyone waiting on the cut one stops.
    const next = await Promise.all([
      client.get<{ instance: string }>("/read"),
      client.get<{ instance: string }>("/read"),
    ]);
    expect(next.map((r) => r.body.instance)).toEqual(["other", "other"]);
    expect((await read).body.instance).toBe("other");
    const refused = (await write2) as UnavailableError;
    expect(refused).toBeInstanceOf(UnavailableError);
    expect(refused.detail).toContain("unreachable");
    expect(performance.now() - started).toBeLessThan(2_000);
    for (const answer of held) answer();
    await agent.close();
  });

  it("is probed when a call waits on it long enough: no new connection opens, so a keyed write moves to the other instance and an unkeyed one fails, in about a second", async () => {
    // The calls already sent to the cut instance hang on their open connections; no other call comes
    // to find that it cannot connect. The probe (a new connection) finds it.
    const held: (() => void)[] = [];
    const cutServer = createServer((_req, res) => {
      held.push(() => res.writeHead(200, { "content-type": "application/json" }).end('{"instance":"cut"}'));
    });
    await new Promise<void>((r) => cutServer.listen(0, "127.0.0.1", r));
    servers.push(cutServer);
    const cutUrl = `http://127.0.0.1:${(cutServer.address() as AddressInfo).port}`;
    const other = await fake(() => ({ status: 200, body: { instance: "other" } }));
    const probed: string[] = [];
    const client = createServiceClient({
      target: "payments",
      baseUrls: [cutUrl, other.url],
      timeoutMs: 10_000,
      probeAfterMs: 200,
      probe: async (base) => {
        probed.push(base);
        return base === cutUrl ? "unreachable" : "open";
      },
    });

    const started = performance.now();
    const keyed = client.request<{ instance: string }>({
      method: "POST",
      path: "/charges",
      body: {},
      idempotencyKey: "k-1",
    }); // round-robin: the cut instance
    await client.get("/read"); // the other one
    const unkeyed = client.request({ method: "POST", path: "/charges", body: {} }).catch((e: unknown) => e); // the cut one
    expect((await keyed).body.instance).toBe("other");
    const refused = (await unkeyed) as UnavailableError;
    expect(refused).toBeInstanceOf(UnavailableError);
    expect(refused.detail).toContain("unreachable");
    expect(performance.now() - started).toBeLessThan(2_000);
    // One probe for the two calls waiting on the cut instance, none of the one that answered at once.
    expect(probed).toEqual([cutUrl]);
    expect(held).toHaveLength(2);
    // Its circuit is open: the next calls go to the other instance without waiting.
    const next = await client.get<{ instance: string }>("/read");
    expect(next.body.instance).toBe("other");
    for (const answer of held) answer();
  });

  it("a call keeps probing while it waits: a host there at the first probe and cut off after it is found at a later one", async () => {
    const held: (() => void)[] = [];
    const cutServer = createServer((_req, res) => {
      held.push(() => res.writeHead(200, { "content-type": "application/json" }).end('{"instance":"cut"}'));
    });
    await new Promise<void>((r) => cutServer.listen(0, "127.0.0.1", r));
    servers.push(cutServer);
    const cutUrl = `http://127.0.0.1:${(cutServer.address() as AddressInfo).port}`;
    const other = await fake(() => ({ status: 200, body: { instance: "other" } }));
    let probes = 0;
    const client = createServiceClient({
      target: "payments",
      baseUrls: [cutUrl, other.url],
      timeoutMs: 10_000,
      probeAfterMs: 100,
      // The first probe finds the host there; it is cut off just after.
      probe: async (base) => (base === cutUrl && ++probes > 1 ? "unreachable" : "open"),
    });
    const started = performance.now();
    const keyed = await client.request<{ instance: string }>({
      method: "POST",
      path: "/charges",
      body: {},
      idempotencyKey: "k-2",
    });
    expect(keyed.body.instance).toBe("other");
    expect(probes).toBeGreaterThanOrEqual(2);
    expect(performance.now() - started).toBeLessThan(2_000);
    for (const answer of held) answer();
  });

  it("an instance found unreachable gets no call, not even its circuit's trial call, until a probe connects to it again", async () => {
    let cut = false;
    const held: (() => void)[] = [];
    let reached = 0;
    const flaky = createServer((_req, res) => {
      reached++;
      const answer = () => res.writeHead(200, { "content-type": "application/json" }).end('{"instance":"flaky"}');
      if (cut) held.push(answer);
      else answer();
    });
    await new Promise<void>((r) => flaky.listen(0, "127.0.0.1", r));
    servers.push(flaky);
    const flakyUrl = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`;
    const other = await fake(() => ({ status: 200, body: { instance: "other" } }));
    const client = createServiceClient({
      target: "cart",
      baseUrls: [flakyUrl, other.url],
      timeoutMs: 10_000,
      probeAfterMs: 100,
      breaker: { halfOpenAfterMs: 200 },
      probe: async (base) => (base === flakyUrl && cut ? "unreachable" : "open"),
    });
    cut = true;
    // Round-robin: the first call goes to the cut instance, waits, is found out and sent to the other.
    expect((await client.get<{ instance: string }>("/read")).body.instance).toBe("other");
    expect(reached).toBe(1);
    // For more than two half-open periods, every call goes to the other instance: the cut one gets
    // none (a trial call would reach it, and wait).
    const until = performance.now() + 600;
    while (performance.now() < until) {
      expect((await client.get<{ instance: string }>("/read")).body.instance).toBe("other");
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(reached).toBe(1);
    // Back on the network: a probe connects, and the instance is called again.
    cut = false;
    await expect
      .poll(async () => (await client.get<{ instance: string }>("/read")).body.instance, { timeout: 2_000 })
      .toBe("flaky");
    for (const answer of held) answer();
  });

  it("when every instance was found unreachable (the caller's own host cut off), the first call after the return waits for the probe under way and is answered", async () => {
    let cut = true;
    const target = await fake(() => ({ status: 200, body: { instance: "a" } }));
    const probes: string[] = [];
    const client = createServiceClient({
      target: "inventory",
      baseUrls: [target.url],
      timeoutMs: 10_000,
      probeAfterMs: 50,
      breaker: { halfOpenAfterMs: 200 },
      // The edge of the test: a probe that takes a moment, as a new connection across a network does.
      probe: async () => {
        probes.push(cut ? "unreachable" : "open");
        await new Promise((r) => setTimeout(r, 30));
        return cut ? "unreachable" : "open";
      },
      // While cut, nothing comes back: requests hang, the probe finds the host gone.
      dispatcher: new Agent({
        connect: (opts, callback) => {
          if (cut) {
            setTimeout(
              () => callback(Object.assign(new Error("connect timeout"), { code: "UND_ERR_CONNECT_TIMEOUT" }), null),
              20,
            );
            return;
          }
          buildConnector({})(opts, callback);
        },
      }),
    });
    const during = await client.get("/read").catch((e: unknown) => e);
    expect(during).toBeInstanceOf(UnavailableError); // no connection opens: found unreachable, refused
    // Still cut when the next probe is due: the call waits for its verdict, then is refused.
    await new Promise((r) => setTimeout(r, 250));
    const stillCut = await client.get("/read").catch((e: unknown) => e);
    expect(stillCut).toBeInstanceOf(UnavailableError);
    expect(probes).toEqual(["unreachable"]);
    // Back: the first call after the return starts the probe, waits for it, and is answered.
    cut = false;
    await new Promise((r) => setTimeout(r, 250));
    const after = await client.get<{ instance: string }>("/read");
    expect(after).toMatchObject({ status: 200, body: { instance: "a" } });
    expect(probes).toEqual(["unreachable", "open"]);
  });

  it("a slow instance whose host is there is waited for: the probe opens a connection, and is not repeated by every slow call", async () => {
    const slow = await fake(() => ({ status: 200, body: { instance: "slow" }, delayMs: 600 }));
    let probes = 0;
    const client = createServiceClient({
      target: "payments",
      baseUrls: [slow.url],
      timeoutMs: 5_000,
      probeAfterMs: 100,
      probe: async () => {
        probes++;
        return "open";
      },
    });
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        client.request<{ instance: string }>({ method: "POST", path: "/charges", body: {} }),
      ),
    );
    const elapsed = performance.now() - started;
    expect(answers.map((a) => a.body.instance)).toEqual(Array(10).fill("slow"));
    expect(slow.calls).toHaveLength(10);
    // Ten calls waited together: the instance was probed about once per probeAfterMs while they
    // waited (a probe that found the host there holds the others back), not ten times as often.
    expect(probes).toBeGreaterThanOrEqual(1);
    expect(probes).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 1);
  });
});

describe("probeConnection", () => {
  it("tells an instance listening (a connection opens) from a port nobody listens on (refused: the host is there)", async () => {
    const up = await fake(() => ({ status: 200 }));
    expect(await probeConnection(up.url)).toBe("open");
    expect(await probeConnection(await deadUrl())).toBe("refused");
  });
});
