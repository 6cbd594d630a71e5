import { createHash, randomBytes } from "node:crypto";
import { connect } from "node:net";
import { createTestIssuer } from "@comptoir/testing";
import { describe, expect, it, vi } from "vitest";
import { type TestGateway, useTestbed } from "./support/gateway";
import { rawRequest } from "./support/raw-request";

const PROBLEM_JSON = "application/problem+json; charset=utf-8";

const { fakes, gateway } = useTestbed();

/** Waits until every instance of every service has been checked and is up. */
async function allUp(gw: TestGateway): Promise<void> {
  await vi.waitFor(
    async () => {
      const report = await gw.status();
      expect(report.status).toBe(200);
      for (const service of Object.values<any>(report.body.services)) {
        for (const instance of service.instances) expect(instance.status).toBe("up");
      }
    },
    { timeout: 3_000, interval: 20 },
  );
}

/** With checks this rare, only the first one (at start) and passive ejection change a status. */
const PASSIVE_ONLY = { intervalMs: 60_000 };

describe("routing", () => {
  it("spreads requests round-robin over the instances", async () => {
    const [a, b, c] = await fakes("a", "b", "c");
    const gw = await gateway({ services: { catalog: [a!, b!, c!] } });
    await allUp(gw);

    const served: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await gw.api.get("/api/catalog/products");
      expect(res.status).toBe(200);
      served.push(res.body.instance);
    }
    expect(served.slice(0, 3).sort()).toEqual(["a", "b", "c"]);
    expect(served.slice(3)).toEqual(served.slice(0, 3));
  });

  it("passes method, path, query, body, status and headers through", async () => {
    const [a] = await fakes("a");
    const issuer = await createTestIssuer();
    const jwksUrl = await issuer.serveJwks();
    const gw = await gateway({ services: { catalog: [a!] }, file: { auth: { jwksUrl } } });
    const token = await issuer.token({ role: "clerk" });

    const res = await gw.api.post(
      "/api/catalog/products/42/variants?expand=price&q=caf%C3%A9%20cr%C3%A8me&q=2",
      { name: "Tee", sizes: ["S", "M"] },
      { "x-fake-status": "201", "accept-language": "fr-CA", authorization: `Bearer ${token}` },
    );
    await issuer.close();

    expect(res.status).toBe(201);
    expect(res.headers.get("x-fake-instance")).toBe("a");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.getSetCookie()).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    expect(res.body).toMatchObject({
      method: "POST",
      url: "/api/catalog/products/42/variants?expand=price&q=caf%C3%A9%20cr%C3%A8me&q=2",
      body: JSON.stringify({ name: "Tee", sizes: ["S", "M"] }),
    });
    const seen = res.body.headers;
    expect(seen["content-type"]).toBe("application/json");
    expect(seen["accept-language"]).toBe("fr-CA");
    expect(seen.authorization).toBe(`Bearer ${token}`);
    expect(seen.host).toBe(new URL(a!.url).host);
    expect(seen["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen["x-forwarded-proto"]).toBe("http");
    expect(seen["x-forwarded-host"]).toBe(new URL(gw.url).host);
  });

  it("serves the prefix itself, every method, and error statuses unchanged", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({ services: { catalog: [a!] } });

    expect((await gw.api.get("/api/catalog")).body.url).toBe("/api/catalog");
    expect((await gw.api.get("/api/catalog?x=1")).body.url).toBe("/api/catalog?x=1");
    for (const method of ["PUT", "PATCH", "DELETE", "OPTIONS"]) {
      const res = await rawRequest(`${gw.url}/api/catalog/x`, { method });
      expect(JSON.parse(res.body.toString()).method).toBe(method);
    }
    const head = await rawRequest(`${gw.url}/api/catalog/x`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe("123");
    const noContent = await gw.api.delete("/api/catalog/x", { "x-fake-status": "204" });
    expect(noContent.status).toBe(204);
    const conflict = await gw.api.post("/api/catalog/x", { a: 1 }, { "x-fake-status": "409" });
    expect(conflict.status).toBe(409);
    expect(conflict.body.instance).toBe("a");
  });

  it("streams large bodies both ways without parsing them", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({
      services: { catalog: [a!] },
      serviceOverrides: { catalog: { bodyLimitBytes: 10 * 1024 * 1024 } },
    });

    // 3 MiB upload in chunks (chunked transfer coding), larger than any JSON body limit (the
    // route's limit is raised, as the shipped config does for catalog's images).
    const parts = Array.from({ length: 48 }, () => randomBytes(64 * 1024));
    const upload = await rawRequest(`${gw.url}/api/catalog/products/1/images`, {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: parts,
    });
    expect(upload.status).toBe(200);
    const echoed = JSON.parse(upload.body.toString());
    expect(echoed.bodyLength).toBe(3 * 1024 * 1024);
    expect(echoed.bodySha256).toBe(createHash("sha256").update(Buffer.concat(parts)).digest("hex"));
    expect(echoed.headers["content-type"]).toBe("image/png");

    const download = await rawRequest(`${gw.url}/api/catalog/big?bytes=5000000`);
    expect(download.status).toBe(200);
    expect(download.body.length).toBe(5_000_000);
  });

  it("keeps the client's connection usable when the upstream answers before the upload ends", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({ services: { catalog: [a!] } });
    const { hostname, port } = new URL(gw.url);
    const socket = connect(Number(port), hostname);
    let received = "";
    const answers = () => received.split("HTTP/1.1 ").length - 1;
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
    const upload = Buffer.alloc(200_000, "a");
    socket.write(
      `PATCH /api/catalog/products/1/early HTTP/1.1\r\nHost: gw\r\ncontent-type: application/json\r\n` +
        `content-length: ${upload.length}\r\n\r\n`,
    );
    socket.write(upload.subarray(0, 1_000));
    await vi.waitFor(() => expect(answers()).toBe(1), { timeout: 2_000, interval: 10 });
    expect(received).toMatch(/^HTTP\/1.1 403/);

    // The rest of the upload, then a second request on the same connection: it is answered.
    socket.write(upload.subarray(1_000));
    socket.write("GET /api/catalog/products HTTP/1.1\r\nHost: gw\r\n\r\n");
    await vi.waitFor(() => expect(answers()).toBe(2), { timeout: 2_000, interval: 10 });
    socket.destroy();
  });

  it("propagates the client's X-Request-ID and continues its trace", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({ services: { catalog: [a!] } });
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    const res = await gw.api.get("/api/catalog/products", {
      "x-request-id": "checkout-7f3a",
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });

    expect(res.headers.get("x-request-id")).toBe("checkout-7f3a");
    expect(res.body.headers["x-request-id"]).toBe("checkout-7f3a");
    const forwarded = res.body.headers.traceparent as string;
    expect(forwarded).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(forwarded).not.toContain("00f067aa0ba902b7");
  });

  it("gives a request without an id one, the same for the upstream and the client", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({ services: { catalog: [a!] } });

    const res = await gw.api.get("/api/catalog/products");

    const id = res.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.headers["x-request-id"]).toBe(id);
    expect(res.body.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it("does not forward hop-by-hop headers or client claims about earlier hops", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({ services: { catalog: [a!] } });

    const res = await rawRequest(`${gw.url}/api/catalog/products`, {
      headers: {
        connection: "keep-alive, x-hop-secret",
        "keep-alive": "timeout=5",
        "x-hop-secret": "only for the gateway",
        te: "trailers",
        "proxy-authorization": "Basic Zm9vOmJhcg==",
        "x-forwarded-for": "6.6.6.6",
        "x-forwarded-host": "evil.example",
        forwarded: "for=6.6.6.6",
        "x-real-ip": "6.6.6.6",
        "x-kept": "yes",
      },
    });

    const seen = JSON.parse(res.body.toString()).headers;
    for (const name of ["keep-alive", "x-hop-secret", "te", "proxy-authorization", "forwarded", "x-real-ip"]) {
      expect(seen, name).not.toHaveProperty(name);
    }
    expect(seen.connection ?? "keep-alive").toBe("keep-alive");
    expect(seen["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen["x-forwarded-host"]).toBe(new URL(gw.url).host);
    expect(seen["x-kept"]).toBe("yes");
  });

  it("answers an unknown service with a 404 problem", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({ services: { catalog: [a!] } });

    for (const path of ["/api/nope/products", "/api/catalogue", "/api"]) {
      const res = await gw.api.get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type")).toBe(PROBLEM_JSON);
      expect(res.body).toMatchObject({ code: "route_not_found", status: 404 });
    }
    expect(a!.hits).toHaveLength(0);
  });
});

describe("failures", () => {
  it("retries a GET on another instance when an instance is gone, and ejects it", async () => {
    const [a, b, c] = await fakes("a", "b", "c");
    const gw = await gateway({ services: { catalog: [a!, b!, c!] }, healthCheck: PASSIVE_ONLY });
    await allUp(gw);
    await b!.close();

    for (let i = 0; i < 6; i++) {
      const res = await gw.api.get(`/api/catalog/products?i=${i}`);
      expect(res.status).toBe(200);
      expect(res.body.instance).not.toBe("b");
    }

    const report = await gw.status();
    const gone = report.body.services.catalog.instances.find((i: any) => i.url === b!.url);
    expect(gone).toMatchObject({ status: "down", error: expect.stringContaining("ECONNREFUSED") });
  });

  it("retries a POST the gone instance never received", async () => {
    const [a, b] = await fakes("a", "b");
    const gw = await gateway({ services: { catalog: [a!, b!] }, healthCheck: PASSIVE_ONLY });
    await allUp(gw);
    await a!.close();

    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) statuses.push((await gw.api.post("/api/catalog/products", { i })).status);

    expect(statuses).toEqual([200, 200]);
    expect(b!.hits.map((h) => h.method)).toEqual(["POST", "POST"]);
  });

  it("does not retry a POST whose instance died while handling it", async () => {
    const [a, b] = await fakes("a", "b");
    const gw = await gateway({ services: { catalog: [a!, b!] }, healthCheck: PASSIVE_ONLY });
    await allUp(gw);
    a!.crash = true;

    const results = [
      await gw.api.post("/api/catalog/orders", { n: 1 }),
      await gw.api.post("/api/catalog/orders", { n: 2 }),
    ];

    const failed = results.find((r) => r.status !== 200)!;
    expect(failed.status).toBe(502);
    expect(failed.headers.get("content-type")).toBe(PROBLEM_JSON);
    expect(failed.body).toMatchObject({ code: "bad_gateway", service: "catalog" });
    expect(failed.body.detail).toContain("not retried");
    // Each POST reached exactly one instance: the crashed one once, the other once.
    expect(a!.hits).toHaveLength(1);
    expect(b!.hits).toHaveLength(1);
  });

  it("retries a GET whose instance died while handling it", async () => {
    const [a, b] = await fakes("a", "b");
    const gw = await gateway({ services: { catalog: [a!, b!] }, healthCheck: PASSIVE_ONLY });
    await allUp(gw);
    a!.crash = true;

    for (let i = 0; i < 2; i++) {
      const res = await gw.api.get("/api/catalog/products");
      expect(res.status).toBe(200);
      expect(res.body.instance).toBe("b");
    }
    expect(a!.hits).toHaveLength(1);
  });

  it("answers 503 with Retry-After naming the service when no instance is healthy", async () => {
    const [a, b] = await fakes("a", "b");
    a!.healthy = false;
    b!.healthy = false;
    const gw = await gateway({ services: { catalog: [a!, b!] }, healthCheck: { intervalMs: 50 } });
    await vi.waitFor(async () => {
      const report = await gw.status();
      expect(report.body.services.catalog.instances.map((i: any) => i.status)).toEqual(["down", "down"]);
    });

    const res = await gw.api.get("/api/catalog/products");

    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe(PROBLEM_JSON);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(res.body).toMatchObject({ code: "service_unavailable", status: 503, service: "catalog" });
    expect(res.body.detail).toContain("catalog");
    expect(a!.hits.length + b!.hits.length).toBe(0);
  });

  it("answers 503 when every instance refuses the connection", async () => {
    const [a, b] = await fakes("a", "b");
    const gw = await gateway({ services: { catalog: [a!, b!] }, healthCheck: PASSIVE_ONLY });
    await allUp(gw);
    await Promise.all([a!.close(), b!.close()]);

    const res = await gw.api.post("/api/catalog/products", { a: 1 });

    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBeTruthy();
    expect(res.body).toMatchObject({ code: "service_unavailable", service: "catalog" });
    expect(res.body.detail).toContain("ECONNREFUSED");
  });

  it("answers 504 when the upstream is slower than the route's timeout", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({ services: { catalog: [a!] }, timeoutMs: 200 });

    const started = performance.now();
    const res = await gw.api.get("/api/catalog/slow?ms=5000");

    expect(performance.now() - started).toBeLessThan(4_000); // the upstream would answer at 5 s
    expect(res.status).toBe(504);
    expect(res.headers.get("content-type")).toBe(PROBLEM_JSON);
    expect(res.body).toMatchObject({ code: "gateway_timeout", status: 504, service: "catalog" });
    expect(res.body.detail).toContain("200 ms");
  });
});

describe("product images", () => {
  it("serves /images/<service>/<path> from the service's /api/<service>/images/<service>/<path>, read-only", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({ services: { catalog: [a!] } });

    const res = await gw.api.get("/images/catalog/0192f5a0-0000-7000-8000-0000000000aa/img-1-thumb.webp");
    expect(res.status).toBe(200);
    expect(res.body.method).toBe("GET");
    expect(res.body.url).toBe("/api/catalog/images/catalog/0192f5a0-0000-7000-8000-0000000000aa/img-1-thumb.webp");

    for (const path of [
      "/images/catalog/../internal/x",
      "/images/catalog/%2e%2e/secret",
      "/images/catalog/a/.hidden",
      "/images/nothing/a.webp",
    ]) {
      const refused = await gw.api.get(path);
      expect(refused.status, path).toBe(404);
    }
    expect((await gw.api.post("/images/catalog/a.webp", {})).status).toBe(404);
  });
});
