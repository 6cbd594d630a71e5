import { describe, expect, it } from "vitest";
import { call, expectProblem, token } from "../support/platform";

/**
 * OWASP API8:2023 Security Misconfiguration — what the platform answers without anyone having
 * configured it: `npm start`'s defaults, through the gateway.
 */
describe("API8 security misconfiguration", () => {
  it("every answer carries the security headers, and no header names the software", async () => {
    for (const path of ["/api/catalog/products", "/api/nope", "/health/ready", "/docs"]) {
      const res = await call("GET", path, { from: "127.0.8.1" });
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("content-security-policy"), path).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-powered-by"), path).toBeNull();
      expect(res.headers.get("server"), path).toBeNull();
    }
  });

  it("errors are problem+json with a code, never a stack trace, a SQL message or a file path", async () => {
    const admin = await token("admin", "127.0.8.1");
    const answers = [
      await call("GET", "/api/nope", { from: "127.0.8.1" }),
      await call("POST", "/api/catalog/categories", { body: "{not json", token: admin, from: "127.0.8.1" }),
      await call("POST", "/api/catalog/categories", { body: { name: 42 }, token: admin, from: "127.0.8.1" }),
      await call("GET", "/api/catalog/products/not-a-uuid", { from: "127.0.8.1" }),
      await call("GET", "/api/identity/me", { token: "garbage", from: "127.0.8.1" }),
      await call("GET", "/api/catalog/products/%C0%AF", { from: "127.0.8.1" }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expectProblem(answer);
    }
  });

  it("refuses cross-origin browsers by default (no CORS origin is configured)", async () => {
    const preflight = await call("OPTIONS", "/api/catalog/products", {
      headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
      from: "127.0.8.1",
    });
    expect(preflight.status).toBe(403);
    const simple = await call("GET", "/api/catalog/products", {
      headers: { origin: "https://evil.example" },
      from: "127.0.8.1",
    });
    expect(simple.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("publishes no internal operation in /docs, and serves the event admin endpoints only to admins", async () => {
    for (const service of ["identity", "catalog", "inventory", "orders", "payments", "cart"]) {
      const doc = await call("GET", `/docs/${service}/openapi.json`, { from: "127.0.8.1" });
      expect(doc.status, service).toBe(200);
      expect(
        Object.keys(doc.body.paths).filter((p) => p.includes("/internal/")),
        service,
      ).toEqual([]);
    }
    expectProblem(await call("GET", "/api/catalog/admin/events/dead-letters", { from: "127.0.8.1" }), 401);
    const clerk = await token("clerk", "127.0.8.1");
    expectProblem(
      await call("GET", "/api/catalog/admin/events/dead-letters", { token: clerk, from: "127.0.8.1" }),
      403,
    );
  });
});
