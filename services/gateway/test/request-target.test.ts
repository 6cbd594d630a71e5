import { describe, expect, it } from "vitest";
import { normalizeTarget, sectionOf } from "../src/http/request-target";
import { useTestbed } from "./support/gateway";
import { rawTarget } from "./support/raw-request";

const { fakes, identity, gateway } = useTestbed();

const PREFIXES = ["/api/identity", "/api/catalog"];
const normalized = (target: string, host = "shop.example") => normalizeTarget(target, host, PREFIXES);

describe("the request target, normalized once", () => {
  it.each([
    ["/api/catalog/products", "/api/catalog/products"],
    ["/api/catalog/%70roducts?q=%C3%A9&x=%2F", "/api/catalog/products?q=%C3%A9&x=%2F"],
    ["/API/Catalog/products", "/api/catalog/products"],
    ["/api//catalog/./products/", "/api/catalog/products/"],
    ["/api/catalog/products/x/../y", "/api/catalog/products/y"],
    ["/api/catalog/products;jsessionid=1/42", "/api/catalog/products/42"],
    ["/api/catalog/categories/caf%c3%a9", "/api/catalog/categories/caf%C3%A9"],
    ["/api/catalog/a%20b%3fc", "/api/catalog/a%20b%3Fc"],
    ["http://shop.example/api/catalog/products?page=2", "/api/catalog/products?page=2"],
    ["HTTP://SHOP.EXAMPLE", "/"],
    ["/api/catalogue/x", "/api/catalogue/x"],
  ])("%s → %s", (target, expected) => {
    expect(normalized(target)).toEqual({ ok: true, url: expected });
  });

  it.each([
    ["*", "must be a path"],
    ["http://evil.example/api/catalog/products", "own host"],
    ["/api/catalog/products#x", "fragment"],
    ["/api/catalog%2Fproducts", "encoded /"],
    ["/api/catalog/%5cproducts", "encoded /"],
    ["/api/catalog\\products", "\\"],
    ["/api/catalog/products%00", "control"],
    ["/api/catalog/products%0a", "control"],
    ["/api/catalog/%zz", "invalid percent-escape"],
    ["/api/catalog/%c0%af", "not valid UTF-8"],
    ["/api/catalog/%c3", "not valid UTF-8"],
    ["/api/catalog/%ef%bd%89nternal", "compatibility"],
    ["/api/catalog/internal./x", "end with a dot"],
    ["/../api/catalog", "above the root"],
    ["/api/catalog/é", "percent-encoded"],
  ])("%s is refused (%s)", (target, reason) => {
    const result = normalized(target);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).toContain(reason);
  });

  it("tells the section from the first segment after the prefix, in any case", () => {
    expect(sectionOf("/api/catalog/internal/x", "/api/catalog")).toBe("internal");
    expect(sectionOf("/api/catalog/Internal", "/api/catalog")).toBe("internal");
    expect(sectionOf("/api/catalog/ADMIN/events?x=1", "/api/catalog")).toBe("admin");
    expect(sectionOf("/api/catalog/products/internal", "/api/catalog")).toBe("public");
    expect(sectionOf("/api/catalog/internals", "/api/catalog")).toBe("public");
    expect(sectionOf("/api/catalog", "/api/catalog")).toBe("public");
  });
});

/**
 * Spellings of identity's and catalog's internal endpoints (and of admin ones, sent without a
 * token) that an attacker would try: none may reach a service. The first two opened identity's
 * service-token endpoint to the public before the target was normalized once.
 */
const INTERNAL = "/internal/service-tokens";
const SPELLINGS = [
  `/api/identity${INTERNAL}`,
  `/api/%69dentity${INTERNAL}`,
  `/api/identit%79${INTERNAL}`,
  `/api/%49DENTITY${INTERNAL}`,
  `/api/IDENTITY${INTERNAL}`,
  `/API/identity${INTERNAL}`,
  `/%61pi/identity${INTERNAL}`,
  `/api/identity/%69nternal/service-tokens`,
  `/api/identity/inter%6eal/service-tokens`,
  `/api/identity/%69%6E%74%65%72%6E%61%6C/service-tokens`,
  `/api/identity/INTERNAL/service-tokens`,
  `/api/identity/Internal/service-tokens`,
  `/api/identity//internal/service-tokens`,
  `//api/identity${INTERNAL}`,
  `/api//identity${INTERNAL}`,
  `/api/identity/./internal/service-tokens`,
  `/api/identity/%2e/internal/service-tokens`,
  `/api/identity/x/../internal/service-tokens`,
  `/api/identity/x/%2e%2e/internal/service-tokens`,
  `/api/identity/x/.%2E/internal/service-tokens`,
  `/api/catalog/../identity${INTERNAL}`,
  `/api/catalog/%2e%2e/identity${INTERNAL}`,
  `/api/identity/admin/../internal/service-tokens`,
  `/api/identity/internal/../internal/service-tokens`,
  `/api/identity/internal;x=1/service-tokens`,
  `/api/identity;v=2${INTERNAL}`,
  `/api/identity/;/internal/service-tokens`,
  `/api/identity/internal./service-tokens`,
  `/api/identity/internal%2Fservice-tokens`,
  `/api/identity%2Finternal/service-tokens`,
  `/api/identity\\internal\\service-tokens`,
  `/api/identity/%5Cinternal/service-tokens`,
  `/api/identity/internal%00/service-tokens`,
  `/api/identity/%EF%BD%89nternal/service-tokens`,
  `/api/identity/%C0%AFinternal/service-tokens`,
  `/api/identity/%C1%A9nternal/service-tokens`,
  `/api/identity${INTERNAL}/`,
  `/api/identity${INTERNAL}?a=/../public`,
  "/api/identity/internal/api-keys/resolve",
  "/api/identity/%69nternal/api-keys/resolve",
  "/api/catalog/internal/stock",
  "/api/catalog/%69nternal/stock",
  "/api/catalog/products/../internal/stock",
  "HOST/api/identity/internal/service-tokens",
  "HOST/api/%69dentity/internal/service-tokens",
  "http://evil.example/api/identity/internal/service-tokens",
  "/api/catalog/%61dmin/events/dead-letters",
  "/api/catalog//ADMIN/events/dead-letters",
  "/api/catalog/x/../admin/events/dead-letters",
  "/api/catalog/admin;x/events/dead-letters",
];

describe("internal and admin endpoints, however they are spelled", () => {
  it(`none of ${SPELLINGS.length} spellings reaches a service: 404, 400 or (admin, no token) 401`, async () => {
    const [catalog] = await fakes("catalog");
    const id = await identity();
    const gw = await gateway({ services: { identity: [id], catalog: [catalog!] } });
    const body = JSON.stringify({ service: "orders", secret: "comptoir-development-internal-secret" });

    for (const spelling of SPELLINGS) {
      const target = spelling.replace(/^HOST/, gw.url);
      for (const method of ["POST", "GET"]) {
        const res = await rawTarget(gw.url, target, { method, body: method === "POST" ? body : "" });
        const admin = /dmin|ADMIN/.test(spelling);
        expect([400, 404, ...(admin ? [401] : [])], `${method} ${spelling}`).toContain(res.status);
        const problem = JSON.parse(res.body);
        expect(["route_not_found", "invalid_request_target", "unauthorized"], spelling).toContain(problem.code);
        expect(problem, spelling).not.toHaveProperty("token");
      }
    }
    expect(id.hits).toEqual([]);
    expect(id.resolveCalls).toBe(0);
    expect(catalog!.hits).toEqual([]);
  }, 60_000);

  it("forwards exactly the normalized path, and routes a prefix in any case", async () => {
    const [catalog] = await fakes("catalog");
    const gw = await gateway({ services: { catalog: [catalog!] } });

    for (const [target, forwarded] of [
      ["/api/catalog/%70roducts?q=%c3%a9", "/api/catalog/products?q=%c3%a9"],
      ["/API/Catalog/products/./42/", "/api/catalog/products/42/"],
      ["/api/catalog/products;v=1/x/../42", "/api/catalog/products/42"],
      ["/api/catalog/categories/caf%c3%a9", "/api/catalog/categories/caf%C3%A9"],
      [`${gw.url}/api/catalog/products`, "/api/catalog/products"],
    ] as const) {
      const res = await rawTarget(gw.url, target);
      expect(res.status, target).toBe(200);
      expect(catalog!.hits.at(-1)!.url, target).toBe(forwarded);
    }
  });

  it("answers 400 invalid_request_target as problem+json for a target it cannot normalize", async () => {
    const [catalog] = await fakes("catalog");
    const gw = await gateway({ services: { catalog: [catalog!] } });
    const res = await rawTarget(gw.url, "/api/catalog/products%2F42");
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({
      code: "invalid_request_target",
      status: 400,
      detail: expect.stringContaining("encoded /"),
    });
    expect(catalog!.hits).toEqual([]);
  });
});
