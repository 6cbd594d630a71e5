import { describe, expect, it, vi } from "vitest";
import { type TestGateway, useTestbed } from "./support/gateway";

const { fakes, gateway } = useTestbed();

const statusOf = async (gw: TestGateway, service: string, url: string) =>
  (await gw.status()).body.services[service].instances.find((i: any) => i.url === url)?.status;

async function servedBy(gw: TestGateway, requests: number): Promise<Set<string>> {
  const names = new Set<string>();
  for (let i = 0; i < requests; i++) {
    const res = await gw.api.get("/api/catalog/products");
    expect(res.status).toBe(200);
    names.add(res.body.instance);
  }
  return names;
}

describe("active health checks", () => {
  it("take out an instance whose readiness fails and re-admit it when it recovers", async () => {
    const [a, b] = await fakes("a", "b");
    const gw = await gateway({ services: { catalog: [a!, b!] } });
    await vi.waitFor(async () => expect(await statusOf(gw, "catalog", b!.url)).toBe("up"));
    expect(await servedBy(gw, 4)).toEqual(new Set(["a", "b"]));

    b!.healthy = false;
    await vi.waitFor(async () => expect(await statusOf(gw, "catalog", b!.url)).toBe("down"));
    const before = b!.hits.length;
    expect(await servedBy(gw, 6)).toEqual(new Set(["a"]));
    expect(b!.hits.length).toBe(before);

    b!.healthy = true;
    await vi.waitFor(async () => expect(await statusOf(gw, "catalog", b!.url)).toBe("up"));
    expect(await servedBy(gw, 4)).toEqual(new Set(["a", "b"]));
  });

  it("needs consecutive failures before taking an instance out", async () => {
    const [a] = await fakes("a");
    // Checks fail (time out) from the start; with 3 needed, the instance stays in for 2 more intervals.
    a!.healthDelayMs = 2_000;
    const gw = await gateway({
      services: { catalog: [a!] },
      healthCheck: { intervalMs: 400, timeoutMs: 50, unhealthyThreshold: 3 },
    });

    const first = (await gw.status()).body.services.catalog.instances[0];
    expect(first.status).toBe("unknown");
    expect((await gw.api.get("/api/catalog/products")).status).toBe(200);

    await vi.waitFor(async () => expect(await statusOf(gw, "catalog", a!.url)).toBe("down"), { timeout: 3_000 });
    const down = (await gw.status()).body.services.catalog.instances[0];
    expect(down.error).toBe("/health/ready gave no answer within 50 ms");
  });

  it("sends requests to instances not checked yet", async () => {
    const [a, b] = await fakes("a", "b");
    a!.healthDelayMs = 10_000;
    b!.healthDelayMs = 10_000;
    const gw = await gateway({ services: { catalog: [a!, b!] }, healthCheck: { timeoutMs: 5_000 } });

    expect(await servedBy(gw, 2)).toEqual(new Set(["a", "b"]));
    const report = await gw.status();
    expect(report.status).toBe(503);
    expect(report.body.services.catalog.instances.map((i: any) => i.status)).toEqual(["unknown", "unknown"]);
  });
});

describe("GET /health/ready", () => {
  it("is 200 while the gateway can serve, even with every upstream down", async () => {
    const [a, b] = await fakes("a", "b");
    a!.healthy = false;
    b!.healthy = false;
    const gw = await gateway({ services: { catalog: [a!], inventory: [b!] } });
    await vi.waitFor(async () => expect((await gw.status()).body.services.inventory.status).toBe("down"));
    await vi.waitFor(async () => expect((await gw.status()).body.services.catalog.status).toBe("down"));

    const ready = await gw.readiness();

    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: "ok", service: "gateway", instance: "gateway-test" });
    expect(ready.body).not.toHaveProperty("services");
  });

  it("is 503 shutting_down while the gateway drains, and /health/status says so too", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({ services: { catalog: [a!] } });
    // The kernel sets this in preClose; here without closing, so the server still answers.
    gw.app.comptoir.health.shuttingDown = true;

    const ready = await gw.readiness();
    const report = await gw.status();

    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe("shutting_down");
    expect(report.status).toBe(503);
    expect(report.body.status).toBe("shutting_down");
    gw.app.comptoir.health.shuttingDown = false;
  });
});

describe("GET /health/status", () => {
  it("is 200 ok when every service has an instance up, 503 degraded otherwise", async () => {
    const [a, b, c] = await fakes("a", "b", "c");
    c!.healthy = false;
    const gw = await gateway({ services: { catalog: [a!, b!], inventory: [c!] } });

    await vi.waitFor(async () => {
      const report = await gw.status();
      expect(report.body.services.catalog.status).toBe("ok");
      expect(report.body.services.inventory.instances[0].status).toBe("down");
    });
    const degraded = await gw.status();
    expect(degraded.status).toBe(503);
    expect(degraded.body).toEqual({
      status: "degraded",
      service: "gateway",
      instance: "gateway-test",
      services: {
        catalog: {
          status: "ok",
          instances: [
            { url: a!.url, status: "up", since: expect.any(String), latencyMs: expect.any(Number) },
            { url: b!.url, status: "up", since: expect.any(String), latencyMs: expect.any(Number) },
          ],
        },
        inventory: {
          status: "down",
          instances: [
            {
              url: c!.url,
              status: "down",
              since: expect.any(String),
              latencyMs: expect.any(Number),
              error: "/health/ready answered 503",
            },
          ],
        },
      },
    });
    expect(Number.isNaN(Date.parse(degraded.body.services.inventory.instances[0].since))).toBe(false);

    c!.healthy = true;
    await vi.waitFor(async () => expect((await gw.status()).status).toBe(200));
    const ok = await gw.status();
    expect(ok.body.status).toBe("ok");
    expect(ok.body.services.inventory).toMatchObject({ status: "ok", instances: [{ status: "up" }] });
    expect(ok.body.services.inventory.instances[0]).not.toHaveProperty("error");
  });

  it("leaves /health/live to the platform", async () => {
    const [a] = await fakes("a");
    a!.healthy = false;
    const gw = await gateway({ services: { catalog: [a!] } });

    const live = await gw.api.get("/health/live");

    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: "ok" });
  });
});

describe("metrics", () => {
  it("count upstream requests by service, instance and status and report each instance's state", async () => {
    const [a, b] = await fakes("a", "b");
    b!.healthy = false;
    const gw = await gateway({ services: { catalog: [a!, b!] }, timeoutMs: 300 });
    await vi.waitFor(async () => expect(await statusOf(gw, "catalog", b!.url)).toBe("down"));
    await vi.waitFor(async () => expect(await statusOf(gw, "catalog", a!.url)).toBe("up"));

    await gw.api.get("/api/catalog/products");
    await gw.api.get("/api/catalog/products");
    await gw.api.post("/api/catalog/products", { a: 1 }, { "x-fake-status": "409" });
    await gw.api.get("/api/catalog/slow?ms=1000");

    const metrics = (await gw.api.get("/metrics")).body as string;
    const line = (name: string, labels: string) =>
      metrics.split("\n").find((l) => l.startsWith(`${name}{${labels}`) && !l.includes("#"));
    expect(line("gateway_upstream_requests_total", `service="catalog",instance="${a!.url}",status="200"`)).toMatch(
      / 2$/,
    );
    expect(line("gateway_upstream_requests_total", `service="catalog",instance="${a!.url}",status="409"`)).toMatch(
      / 1$/,
    );
    expect(line("gateway_upstream_requests_total", `service="catalog",instance="${a!.url}",status="timeout"`)).toMatch(
      / 1$/,
    );
    expect(line("gateway_upstream_up", `service="catalog",instance="${a!.url}"`)).toMatch(/ 1$/);
    expect(line("gateway_upstream_up", `service="catalog",instance="${b!.url}"`)).toMatch(/ 0$/);
  });
});
