import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { createLogger } from "@comptoir/platform";
import { createTestIssuer } from "@comptoir/testing";
import { describe, expect, it } from "vitest";
import { apiKey } from "./support/fake-identity";
import { useTestbed } from "./support/gateway";
import { rawRequest } from "./support/raw-request";

const { fakes, identity, gateway } = useTestbed();

describe("CORS", () => {
  it("answers a preflight from an allowed origin at the gateway, and refuses others", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({
      services: { catalog: [a!] },
      file: { cors: { origins: ["https://shop.example"] } },
    });

    const allowed = await rawRequest(`${gw.url}/api/catalog/products`, {
      method: "OPTIONS",
      headers: {
        origin: "https://shop.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type, idempotency-key",
      },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers["access-control-allow-origin"]).toBe("https://shop.example");
    expect(allowed.headers["access-control-allow-methods"]).toContain("POST");
    const allowedHeaders = String(allowed.headers["access-control-allow-headers"]);
    for (const h of ["authorization", "x-api-key", "idempotency-key", "x-request-id", "content-type"]) {
      expect(allowedHeaders).toContain(h);
    }
    expect(allowed.headers.vary).toContain("Origin");

    const denied = await rawRequest(`${gw.url}/api/catalog/products`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(denied.status).toBe(403);
    expect(denied.headers["access-control-allow-origin"]).toBeUndefined();
    expect(JSON.parse(denied.body.toString())).toMatchObject({ code: "origin_not_allowed" });
    expect(a!.hits).toHaveLength(0);

    // Actual requests: the allowed origin may read the answer (and its rate-limit headers), others not.
    const ok = await gw.api.get("/api/catalog/products", { origin: "https://shop.example" });
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    expect(ok.headers.get("access-control-expose-headers")).toContain("ratelimit-remaining");
    expect(ok.headers.get("vary")).toContain("Origin");
    const other = await gw.api.get("/api/catalog/products", { origin: "https://evil.example" });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("is same-origin only by default, and any origin with an explicit *", async () => {
    const [a] = await fakes("a");
    const closed = await gateway({ services: { catalog: [a!] } });
    const preflight = { origin: "https://shop.example", "access-control-request-method": "GET" };
    expect((await rawRequest(`${closed.url}/api/catalog/x`, { method: "OPTIONS", headers: preflight })).status).toBe(
      403,
    );

    const open = await gateway({ services: { catalog: [a!] }, env: { CORS_ORIGINS: "*" } });
    const res = await rawRequest(`${open.url}/api/catalog/x`, { method: "OPTIONS", headers: preflight });
    expect(res.status).toBe(204);
    expect(res.headers["access-control-allow-origin"]).toBe("*");
    // A plain OPTIONS (no preflight) still reaches the service.
    const plain = await rawRequest(`${open.url}/api/catalog/x`, { method: "OPTIONS" });
    expect(JSON.parse(plain.body.toString()).method).toBe("OPTIONS");
  });
});

describe("security headers", () => {
  it("are on every response: proxied, problems, the gateway's own; HSTS only over HTTPS", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({ services: { catalog: [a!] } });

    for (const path of ["/api/catalog/products", "/api/nope", "/health/ready", "/docs/catalog/openapi.json"]) {
      const res = await gw.api.get(path);
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("referrer-policy"), path).toBe("no-referrer");
      expect(res.headers.get("content-security-policy"), path).toContain("default-src 'none'");
      expect(res.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get("strict-transport-security"), path).toBeNull();
    }
    const https = await gw.api.get("/api/catalog/products", { "x-forwarded-proto": "https" });
    expect(https.headers.get("strict-transport-security")).toMatch(/^max-age=\d+/);
  });

  it("let /docs load its own script and style", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({ services: { catalog: [a!] } });

    const page = await gw.api.get("/docs");
    const csp = page.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(page.body).toContain('<script src="/docs/static/swagger-ui-bundle.js"');
    expect(page.body).not.toMatch(/<script>|<style>|https?:\/\/cdn/);
    const script = await gw.api.get("/docs/static/swagger-ui-bundle.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/^application\/javascript/);
    expect(script.headers.get("content-security-policy")).toBe(csp);
    expect((await gw.api.get("/docs/static/swagger-ui.css")).status).toBe(200);
  });
});

describe("body-size limits", () => {
  it("answer 413 by Content-Length without contacting the upstream", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({ services: { catalog: [a!] }, file: { bodyLimitBytes: 1024 } });

    const res = await rawRequest(`${gw.url}/api/catalog/products`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream", "content-length": "2048" },
      body: randomBytes(2048),
    });

    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString())).toMatchObject({ code: "payload_too_large", status: 413 });
    expect(a!.hits).toHaveLength(0);
    const fits = await rawRequest(`${gw.url}/api/catalog/products`, { method: "POST", body: randomBytes(1024) });
    expect(fits.status).toBe(200);
  });

  it("answer 413 when a chunked body grows past the limit while streaming", async () => {
    const [a] = await fakes("a");
    const gw = await gateway({
      services: { catalog: [a!] },
      file: { bodyLimitBytes: 1024 },
      serviceOverrides: { catalog: { bodyLimitBytes: 100_000 } },
    });

    const res = await rawRequest(`${gw.url}/api/catalog/products/1/images`, {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: Array.from({ length: 8 }, () => randomBytes(16 * 1024)),
    });

    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString())).toMatchObject({ code: "payload_too_large" });
    // Under the route's (raised) limit, a chunked body streams through.
    const fits = await rawRequest(`${gw.url}/api/catalog/products/1/images`, {
      method: "POST",
      body: Array.from({ length: 4 }, () => randomBytes(16 * 1024)),
    });
    expect(fits.status).toBe(200);
    expect(JSON.parse(fits.body.toString()).bodyLength).toBe(64 * 1024);
  });
});

describe("access log", () => {
  it("writes one JSON line per proxied request with consumer, upstream and ids, and no secret", async () => {
    const [catalog] = await fakes("catalog");
    const id = await identity();
    const issuer = await createTestIssuer();
    id.jwks.keys.push(...issuer.jwks.keys);
    const lines: any[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
        callback();
      },
    });
    const logger = createLogger({ service: "gateway", instance: "gateway-test", level: "info", destination });
    const gw = await gateway({ services: { identity: [id], catalog: [catalog!] }, logger });
    const key = apiKey("partner", "acme");
    id.apiKeys.set(key, { id: "0190a000-0000-7000-8000-0000000000aa", name: "partner-acme", tier: "partner" });
    const token = await issuer.token({ role: "clerk", sub: "0190a000-0000-7000-8000-000000000001" });

    await gw.api.get("/api/catalog/products?secret=1", { "x-request-id": "req-key", "x-api-key": key });
    await gw.api.get("/api/catalog/products", { "x-request-id": "req-token", authorization: `Bearer ${token}` });
    await gw.api.get("/api/catalog/products", { "x-request-id": "req-anon" });
    await gw.api.get("/api/catalog/products", { "x-request-id": "req-bad", authorization: `Bearer ${token}x` });
    await issuer.close();

    const access = lines.filter((l) => l.msg === "access");
    expect(access.map((l) => l.requestId)).toEqual(["req-key", "req-token", "req-anon", "req-bad"]);
    expect(access[0]).toMatchObject({
      method: "GET",
      route: "/api/catalog",
      path: "/api/catalog/products",
      status: 200,
      consumer: "partner-acme",
      upstream: catalog!.url,
      requestId: "req-key",
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(access[0].durationMs).toBeTypeOf("number");
    expect(access[1]).toMatchObject({ consumer: "0190a000-0000-7000-8000-000000000001", status: 200 });
    expect(access[2]).toMatchObject({ consumer: "anonymous", status: 200 });
    expect(access[3]).toMatchObject({ consumer: "anonymous", status: 401, upstream: null });
    // One line per request: the app's generic per-request line is not written for proxied routes.
    expect(lines.filter((l) => l.requestId === "req-anon")).toHaveLength(1);
    const everything = lines.map((l) => JSON.stringify(l)).join("\n");
    expect(everything).not.toContain(key);
    expect(everything).not.toContain(token.split(".")[2]!);
    expect(everything).not.toContain("secret=1");
  });
});
