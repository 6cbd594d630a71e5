import { describe, expect, it, vi } from "vitest";
import { type TestGateway, useTestbed } from "./support/gateway";

const { fakes, gateway } = useTestbed();

async function allUp(gw: TestGateway): Promise<void> {
  await vi.waitFor(
    async () => {
      const report = await gw.status();
      for (const service of Object.values<any>(report.body.services)) {
        for (const instance of service.instances) expect(instance.status).toBe("up");
      }
    },
    { timeout: 3_000, interval: 20 },
  );
}

describe("least-connections", () => {
  it("sends requests to the idle instance while the other is busy with slow ones", async () => {
    const [a, b] = await fakes("a", "b");
    const gw = await gateway({
      services: { catalog: [a!, b!] },
      upstreamOverrides: { catalog: { balancer: "least-connections" } },
    });
    await allUp(gw);

    // One request held in flight (until released, however slow the machine) keeps one instance busy.
    const slow = gw.api.get("/api/catalog/held");
    await vi.waitFor(() => expect(a!.hits.length + b!.hits.length).toBe(1));
    const busy = a!.hits.length === 1 ? "a" : "b";

    const served: string[] = [];
    for (let i = 0; i < 6; i++) served.push((await gw.api.get("/api/catalog/fast")).body.instance);

    expect(served).toEqual(Array(6).fill(busy === "a" ? "b" : "a"));
    (busy === "a" ? a! : b!).release();
    expect((await slow).status).toBe(200);
    // Idle again: both instances share the load.
    const after = new Set<string>();
    for (let i = 0; i < 4; i++) after.add((await gw.api.get("/api/catalog/fast")).body.instance);
    expect([...after].sort()).toEqual(["a", "b"]);
  });

  it("round-robin (the default) alternates regardless of load", async () => {
    const [a, b] = await fakes("a", "b");
    const gw = await gateway({ services: { catalog: [a!, b!] } });
    await allUp(gw);

    const slow = gw.api.get("/api/catalog/slow?ms=400");
    await vi.waitFor(() => expect(a!.hits.length + b!.hits.length).toBe(1));
    const served = new Set<string>();
    for (let i = 0; i < 4; i++) served.add((await gw.api.get("/api/catalog/fast")).body.instance);
    expect([...served].sort()).toEqual(["a", "b"]);
    await slow;
  });
});

describe("circuit breaker", () => {
  it("opens after N consecutive failures (503 + Retry-After at once, upstream untouched), then closes after a successful probe", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({
      services: { catalog: [a!] },
      timeoutMs: 100,
      healthCheck: { intervalMs: 60_000 },
      file: { circuitBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 400 } },
    });
    await allUp(gw);

    for (let i = 0; i < 3; i++) expect((await gw.api.get("/api/catalog/slow?ms=300")).status).toBe(504);
    const hitsWhenOpened = a!.hits.length;

    const started = performance.now();
    const refused = await gw.api.get("/api/catalog/fast");
    expect(performance.now() - started).toBeLessThan(50);
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: "service_unavailable", service: "catalog" });
    expect(refused.body.detail).toContain("circuit open");
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(a!.hits.length).toBe(hitsWhenOpened);
    expect((await gw.api.get("/metrics")).body).toMatch(/gateway_circuit_open\{upstream="catalog"[^}]*\} 1/);

    // Half-open after the delay: a failing probe opens it again …
    await new Promise((r) => setTimeout(r, 450));
    expect((await gw.api.get("/api/catalog/slow?ms=300")).status).toBe(504);
    expect((await gw.api.get("/api/catalog/fast")).status).toBe(503);

    // … a successful one closes it.
    await new Promise((r) => setTimeout(r, 450));
    expect((await gw.api.get("/api/catalog/fast")).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await gw.api.get("/api/catalog/fast")).status).toBe(200);
    expect((await gw.api.get("/metrics")).body).toMatch(/gateway_circuit_open\{upstream="catalog"[^}]*\} 0/);
  });

  it("counts 502/503/504 answers as failures and resets on success", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({
      services: { catalog: [a!] },
      healthCheck: { intervalMs: 60_000 },
      file: { circuitBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 5_000 } },
    });

    // Two failures, a success, two failures: never three in a row.
    for (const status of ["503", "502", "200", "503", "504", "404", "500"]) {
      expect((await gw.api.get("/api/catalog/x", { "x-fake-status": status })).status).toBe(Number(status));
    }
    for (let i = 0; i < 3; i++) await gw.api.get("/api/catalog/x", { "x-fake-status": "503" });
    const refused = await gw.api.get("/api/catalog/x");
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    expect(refused.body.detail).toContain("circuit open");
  });

  it("goes half-open as soon as an instance passes its readiness check (a database back after a restart), not after the whole delay", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({
      services: { catalog: [a!] },
      healthCheck: { intervalMs: 100, unhealthyThreshold: 1000 },
      file: { circuitBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 60_000 } },
    });
    await allUp(gw);
    // The instance's database is down: its answers and its readiness are 503.
    a!.healthy = false;
    for (let i = 0; i < 3; i++) await gw.api.get("/api/catalog/x", { "x-fake-status": "503" });
    expect((await gw.api.get("/api/catalog/x")).body.detail).toContain("circuit open");
    // A minute of refusals would follow; the first passing check lets a probe through instead.
    a!.healthy = true;
    await vi.waitFor(async () => expect((await gw.api.get("/api/catalog/x")).status).toBe(200), {
      timeout: 5_000,
      interval: 50,
    });
    expect((await gw.api.get("/metrics")).body).toMatch(/gateway_circuit_open\{upstream="catalog"[^}]*\} 0/);
  });
});

describe("an instance that stops answering (its host cut off the network)", () => {
  /** Two catalog instances checked every 400 ms; the route's timeout far away (20 s): what ends a wait must be the checks. */
  async function twoInstancesQuicklyChecked() {
    const [a, b] = await fakes("a", "b");
    const gw = await gateway({
      services: { catalog: [a!, b!] },
      timeoutMs: 20_000,
      healthCheck: { intervalMs: 400, timeoutMs: 150, unhealthyThreshold: 2 },
    });
    await allUp(gw);
    return { a: a!, b: b!, gw };
  }

  it("is confirmed down by quick re-checks, and, no connection opening, the requests waiting on it stop waiting: a read moves to the other instance, a write fails at once", async () => {
    const { a, b, gw } = await twoInstancesQuicklyChecked();

    // A read and a write held by the same instance, which then stops answering its checks too.
    const read = gw.api.get("/api/catalog/held");
    await vi.waitFor(() => expect(a!.hits.length + b!.hits.length).toBe(1));
    const [cut, other] = a!.hits.length === 1 ? [a!, b!] : [b!, a!];
    // Round-robin: the next request goes to the other instance, the one after to the first again.
    expect((await gw.api.get("/api/catalog/fast")).body.instance).toBe(other.name);
    const write = gw.api.post("/api/catalog/things/held", { name: "x" });
    await vi.waitFor(() => expect(cut.hits.length).toBe(2));
    const otherHitsBefore = other.hits.length;
    cut.vanish();
    const cutAt = performance.now();

    // The write may have taken effect on the cut instance: not sent again, a 502 that says so.
    const refused = await write;
    expect(refused.status).toBe(502);
    expect(refused.body.detail).toContain("stopped answering");
    // The read is sent to the other instance (which answers once released).
    await vi.waitFor(() => expect(other.hits.length).toBeGreaterThan(otherHitsBefore), { timeout: 5_000 });
    other.release();
    const moved = await read;
    expect(moved.status).toBe(200);
    expect(moved.body.instance).toBe(other.name);
    // Two failed checks, the second a quarter interval after the first: well within the route's 20 s.
    expect(performance.now() - cutAt).toBeLessThan(3_000);
    expect((await gw.status()).body.services.catalog.instances.find((i: any) => i.url === cut.url).status).toBe("down");
    cut.release();
  });

  it("an instance only slow to answer its checks (overloaded, not gone) is taken out of rotation but keeps the requests it holds", async () => {
    const { a, b, gw } = await twoInstancesQuicklyChecked();
    const held = gw.api.post("/api/catalog/things/held", { name: "x" });
    await vi.waitFor(() => expect(a!.hits.length + b!.hits.length).toBe(1));
    const slow = a!.hits.length === 1 ? a! : b!;
    slow.healthDelayMs = 60_000;
    await vi.waitFor(
      async () =>
        expect((await gw.status()).body.services.catalog.instances.find((i: any) => i.url === slow.url).status).toBe(
          "down",
        ),
      { timeout: 5_000, interval: 50 },
    );
    // Found down, but its connections open: the write it holds is not given up on.
    await new Promise((r) => setTimeout(r, 300));
    slow.release();
    const answered = await held;
    expect(answered.status).toBe(200);
    expect(answered.body.instance).toBe(slow.name);
    slow.healthDelayMs = 0;
  });

  it("is probed once a request has waited a second on it: no new connection opening, its requests stop waiting before any health check has failed", async () => {
    // Checks far apart (a minute) and a route timeout far away (20 s): only the probe can end the wait.
    const [a, b] = await fakes("a", "b");
    const cutOff = new Set<string>();
    const probed: string[] = [];
    const gw = await gateway({
      services: { catalog: [a!, b!] },
      timeoutMs: 20_000,
      healthCheck: { intervalMs: 60_000, timeoutMs: 150 },
      // The edge of the test: a probe that sees the cut host's SYNs go unanswered.
      probe: async (url) => {
        probed.push(url);
        return cutOff.has(url) ? "unreachable" : "open";
      },
    });
    await allUp(gw);
    const read = gw.api.get("/api/catalog/held");
    await vi.waitFor(() => expect(a!.hits.length + b!.hits.length).toBe(1));
    const [cut, other] = a!.hits.length === 1 ? [a!, b!] : [b!, a!];
    expect((await gw.api.get("/api/catalog/fast")).body.instance).toBe(other.name);
    const write = gw.api.post("/api/catalog/things/held", { name: "x" });
    await vi.waitFor(() => expect(cut.hits.length).toBe(2));
    cutOff.add(cut.url);
    const cutAt = performance.now();

    const refused = await write;
    expect(refused.status).toBe(502);
    expect(refused.body.detail).toContain("cut off");
    await vi.waitFor(() => expect(other.hits.length).toBe(2), { timeout: 3_000 });
    other.release();
    const moved = await read;
    expect(moved.body.instance).toBe(other.name);
    expect(performance.now() - cutAt).toBeLessThan(2_500);
    // One probe for both requests it held; the instance is out of rotation until a check passes.
    expect(probed.filter((url) => url === cut.url)).toHaveLength(1);
    expect((await gw.status()).body.services.catalog.instances.find((i: any) => i.url === cut.url).status).toBe("down");
    expect((await gw.api.get("/api/catalog/fast")).body.instance).toBe(other.name);
    cut.release();
  });

  it("a request that waits on an instance whose host is there (the probe connects) keeps waiting for its answer", async () => {
    const [a] = await fakes("a");
    let probes = 0;
    const gw = await gateway({
      services: { catalog: [a!] },
      timeoutMs: 20_000,
      healthCheck: { intervalMs: 60_000 },
      probe: async () => {
        probes++;
        return "open";
      },
    });
    await allUp(gw);
    const held = gw.api.post("/api/catalog/things/held", { name: "x" });
    await vi.waitFor(() => expect(probes).toBe(1), { timeout: 3_000 });
    a!.release();
    const answered = await held;
    expect(answered.status).toBe(200);
    expect(answered.body.instance).toBe("a");
  });
});

describe("a write with an Idempotency-Key, to a service whose writes have one effect per key", () => {
  const line = { variantId: "0192f5a0-0000-7000-8000-000000000001", quantity: 2 };

  it("is sent again, body and key unchanged, to another instance when its instance fails with it", async () => {
    const [a, b] = await fakes("a", "b");
    // Checks far apart: the crashed instance, out of rotation, is not checked back in between the writes.
    const gw = await gateway({
      services: { cart: [a!, b!] },
      serviceOverrides: { cart: { idempotencyKeys: true } },
      healthCheck: { intervalMs: 60_000 },
    });
    await allUp(gw);
    a!.crash = true; // reads each request whole, then drops its connection: it may have acted
    const answers = [];
    for (let i = 0; i < 4; i++) {
      answers.push(await gw.api.post(`/api/cart/carts/c${i}/items`, line, { "idempotency-key": `key-${i}` }));
    }
    expect(answers.map((r) => [r.status, r.body.instance])).toEqual(Array(4).fill([200, "b"]));
    // The write that met the crash: the same key and the same bytes went to the other instance.
    expect(a!.hits).toHaveLength(1);
    const resent = b!.hits.find((h) => h.url === a!.hits[0]!.url)!;
    expect(resent.headers["idempotency-key"]).toBe(a!.hits[0]!.headers["idempotency-key"]);
    expect(resent.bodySha256).toBe(a!.hits[0]!.bodySha256);
    expect(resent.bodyLength).toBe(JSON.stringify(line).length);
  });

  it("is sent again when its instance's host is cut off while it waits (the probe finds it)", async () => {
    const [a, b] = await fakes("a", "b");
    const cutOff = new Set<string>();
    const gw = await gateway({
      services: { cart: [a!, b!] },
      serviceOverrides: { cart: { idempotencyKeys: true } },
      timeoutMs: 20_000,
      healthCheck: { intervalMs: 60_000 },
      probe: async (url) => (cutOff.has(url) ? "unreachable" : "open"),
    });
    await allUp(gw);
    const held = gw.api.post("/api/cart/carts/c1/items/held", line, { "idempotency-key": "key-held" });
    await vi.waitFor(() => expect(a!.hits.length + b!.hits.length).toBe(1));
    const [cut, other] = a!.hits.length === 1 ? [a!, b!] : [b!, a!];
    cutOff.add(cut.url);
    await vi.waitFor(() => expect(other.hits).toHaveLength(1), { timeout: 3_000 });
    expect(other.hits[0]!.headers["idempotency-key"]).toBe("key-held");
    expect(other.hits[0]!.bodySha256).toBe(cut.hits[0]!.bodySha256);
    other.release();
    const answer = await held;
    expect(answer.status).toBe(200);
    expect(answer.body.instance).toBe(other.name);
    cut.release();
  });

  it("is not sent twice without a key, to a service that does not say it honours keys, or with a body too large to keep", async () => {
    const [a, b, c, d] = await fakes("a", "b", "c", "d");
    const gw = await gateway({
      services: { cart: [a!, b!], catalog: [c!, d!] },
      serviceOverrides: { cart: { idempotencyKeys: true } },
    });
    await allUp(gw);
    a!.crash = true;
    c!.crash = true;
    // Round-robin from the first instance each time the crashed one is back in rotation: send until
    // one of each kind met the crash.
    const outcomes = async (send: () => Promise<{ status: number; body: any }>, crashed: { hits: unknown[] }) => {
      for (let i = 0; i < 6; i++) {
        const before = crashed.hits.length;
        const res = await send();
        if (crashed.hits.length > before) return res;
        await allUp(gw);
      }
      throw new Error("never reached the crashed instance");
    };
    const unkeyed = await outcomes(() => gw.api.post("/api/cart/carts/c1/items", line), a!);
    expect(unkeyed.status).toBe(502);
    const large = await outcomes(
      () =>
        gw.api.post("/api/cart/carts/c1/items", { ...line, note: "x".repeat(70 * 1024) }, { "idempotency-key": "big" }),
      a!,
    );
    expect(large.status).toBe(502);
    const notHonoured = await outcomes(
      () => gw.api.post("/api/catalog/products", { name: "x" }, { "idempotency-key": "k" }),
      c!,
    );
    expect(notHonoured.status).toBe(502);
    expect(notHonoured.body.detail).toContain("may already have taken effect");
  });
});
