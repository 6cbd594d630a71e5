import { randomUUID } from "node:crypto";
import { API_KEY_RESOLVE_PATH, REVOCATIONS_PATH, SERVICE_TOKEN_PATH } from "@comptoir/contracts";
import { beforeAll, describe, expect, it } from "vitest";
import { call, expectProblem, token } from "../support/platform";

/**
 * OWASP API9:2023 Improper Inventory Management — the published API reference (/docs) is the
 * inventory: it lists exactly the services the gateway routes, each document is versioned and
 * names only its own public operations, every documented operation is routed, and what is not
 * documented (old versions, debug and internal endpoints, a service's own docs and metrics) does
 * not answer.
 */
const FROM = "127.0.9.1";
/** The services the gateway routes (services/gateway/gateway.config.json). */
const ROUTED = [
  "identity",
  "catalog",
  "inventory",
  "supply",
  "cart",
  "orders",
  "payments",
  "retail",
  "reporting",
  "search",
  "notifications",
];
const docs = new Map<string, any>();

describe("API9 improper inventory management", () => {
  beforeAll(async () => {
    for (const service of ROUTED) {
      const doc = await call("GET", `/docs/${service}/openapi.json`, { from: FROM });
      expect(doc.status, service).toBe(200);
      docs.set(service, doc.body);
    }
  });

  it("/docs lists exactly the routed services, each with a versioned OpenAPI 3.1 document of its own", async () => {
    expect((await call("GET", "/docs", { from: FROM })).status).toBe(200);
    // Swagger UI's page lists the documents its initializer names.
    const index = await call("GET", "/docs/static/swagger-initializer.js", { from: FROM });
    const listed = [...index.text.matchAll(/"url":"\/docs\/([a-z]+)\/openapi\.json"/g)].map((m) => m[1]);
    expect(listed.sort()).toEqual([...ROUTED].sort());
    for (const service of ROUTED) {
      const doc = docs.get(service);
      expect(doc.openapi, service).toMatch(/^3\.1\.\d+$/);
      expect(doc.info.title, service).toBe(`Comptoir ${service}`);
      expect(doc.info.version, service).toMatch(/^\d+\.\d+\.\d+/);
      expect(doc.info.description, service).toEqual(expect.any(String));
      for (const path of Object.keys(doc.paths)) expect(path, service).toMatch(new RegExp(`^/api/${service}(/|$)`));
    }
    for (const unknown of ["gateway", "postgres", "admin", "internal", "IDENTITY"]) {
      expectProblem(await call("GET", `/docs/${unknown}/openapi.json`, { from: FROM }), 404);
    }
  });

  it("no published document lists an internal operation", async () => {
    for (const [service, doc] of docs) {
      expect(
        Object.keys(doc.paths).filter((p) => /\/internal(\/|$)/.test(p)),
        service,
      ).toEqual([]);
      const tags = Object.values<any>(doc.paths).flatMap((ops) => Object.values<any>(ops).flatMap((o) => o.tags ?? []));
      expect(tags, service).not.toContain("internal");
    }
  });

  // Once every document's bearerAuth description named identity's internal service-token path,
  // and identity's document declared an "internal" tag after the gateway had filtered its operations.
  it("no published document names an internal path or an internal tag", async () => {
    for (const [service, doc] of docs) {
      const text = JSON.stringify(doc);
      for (const internal of [SERVICE_TOKEN_PATH, API_KEY_RESOLVE_PATH, REVOCATIONS_PATH]) {
        expect(text, service).not.toContain(internal);
      }
      expect(
        (doc.tags ?? []).map((t: { name: string }) => t.name),
        service,
      ).not.toContain("internal");
    }
  });

  it("every documented operation is routed to its service (none answers route_not_found)", async () => {
    const admin = await token("admin", FROM);
    const unrouted: string[] = [];
    let operations = 0;
    for (const [, doc] of docs) {
      for (const [template, methods] of Object.entries<any>(doc.paths)) {
        const path = template
          .replace("{*}", "catalog/0192f5a0-0000-7000-8000-000000000000/none.webp")
          .replace("{slug}", "no-such-product")
          .replace(/\{[^}]+\}/g, () => randomUUID());
        for (const method of Object.keys(methods)) {
          operations += 1;
          // Anonymously: no documented operation may do anything for an anonymous caller here, and a
          // refusal (401, 400, a resource's 404) still proves the route exists. Reads also as admin.
          const answers = [await call(method.toUpperCase(), path, { from: FROM })];
          if (method === "get") answers.push(await call("GET", path, { token: admin, from: FROM }));
          for (const res of answers) {
            if (res.status === 404 && res.body?.code === "route_not_found") unrouted.push(`${method} ${template}`);
            expect(res.status, `${method} ${template}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
          }
        }
      }
    }
    expect(operations).toBeGreaterThan(100);
    expect(unrouted).toEqual([]);
  });

  it("nothing undocumented answers: old versions, debug and internal paths, a service's own docs, health and metrics", async () => {
    const admin = await token("admin", FROM);
    const guesses = [
      "/api/v1/catalog/products",
      "/api/v2/orders",
      "/v1/api/identity/me",
      "/api/catalog/v1/products",
      "/api/identity/debug",
      "/api/identity/admin",
      "/api/identity/admin/users",
      "/api/orders/admin/orders",
      "/api/payments/admin/payments",
      "/api/identity/internal/revocations",
      "/api/inventory/internal/stock",
      "/api/catalog/openapi.json",
      "/api/catalog/docs",
      "/api/catalog/documentation/json",
      "/api/identity/metrics",
      "/api/identity/health/ready",
      "/api/orders/health/live",
      "/api/gateway/config",
      "/api/unknown/anything",
      "/api",
      "/admin",
      "/graphql",
      "/swagger.json",
      "/swagger-ui",
      "/docs/json",
      "/.env",
      "/.git/config",
      "/config.json",
      "/gateway.config.json",
      "/server-status",
      "/actuator/health",
    ];
    for (const path of guesses) {
      const asAdmin = await call("GET", path, { token: admin, from: FROM });
      expect(asAdmin.status, `${path} (admin): ${asAdmin.text.slice(0, 200)}`).toBe(404);
      expectProblem(asAdmin, 404);
      // Anonymously, the same; under an /admin/ section the gateway asks for a token first.
      const anonymous = await call("GET", path, { from: FROM });
      expectProblem(anonymous, /^\/api\/[^/]+\/admin(\/|$)/.test(path) ? 401 : 404);
    }
  });
});
