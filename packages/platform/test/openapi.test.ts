import { afterEach, describe, expect, it } from "vitest";
import {
  type App,
  bearerAuth,
  createApp,
  gatewayProofAuth,
  Id,
  noAuth,
  pageQuery,
  problemResponses,
  requirePermission,
  Type,
} from "../src";
import { MAX_PATH_PARAM_LENGTH, operationIdOf } from "../src/http/openapi";
import { testLogger } from "@comptoir/testing";

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function documentOf(routes: (app: App) => void): Promise<any> {
  app = await createApp({ service: "demo", instance: "demo-1", logger: testLogger("demo"), description: "A demo." });
  routes(app);
  const res = await app.inject({ method: "GET", url: "/openapi.json" });
  expect(res.statusCode).toBe(200);
  return res.json();
}

const ok = async () => ({ ok: true });

describe("the OpenAPI document every service publishes", () => {
  it("names each operation, and lists the permissions its guards require", async () => {
    const doc = await documentOf((app) => {
      app.get(
        "/api/demo/things/:id",
        { onRequest: requirePermission("stock:read"), schema: { ...bearerAuth, params: Type.Object({ id: Id }) } },
        ok,
      );
      app.post("/api/demo/admin/rebuild", { onRequest: requirePermission("stock:adjust"), schema: bearerAuth }, ok);
      app.post("/api/demo/login", { schema: { ...noAuth, operationId: "logIn" } }, ok);
    });
    const thing = doc.paths["/api/demo/things/{id}"].get;
    expect(thing.operationId).toBe("getThingsById");
    expect(thing.security).toEqual([{ bearerAuth: ["stock:read"] }]);
    // Under /admin/ the gateway also requires events:admin.
    expect(doc.paths["/api/demo/admin/rebuild"].post.security).toEqual([
      { bearerAuth: ["stock:adjust", "events:admin"] },
    ]);
    expect(doc.paths["/api/demo/login"].post).toMatchObject({ operationId: "logIn", security: [{}] });
    expect(doc.components.securitySchemes.bearerAuth.description).toMatch(/RFC8725/);
    expect(doc.info).toMatchObject({ contact: expect.any(Object), license: { name: "MIT" } });
    expect(doc.servers).toEqual([expect.objectContaining({ url: "/", "x-internal": false })]);
    expect(doc.tags).toBeUndefined();
  });

  it("documents the answers any operation may give, and the gateway's headers on those it routes", async () => {
    const doc = await documentOf((app) => {
      app.get(
        "/api/demo/things",
        {
          schema: {
            tags: ["things"],
            querystring: Type.Object(pageQuery()),
            response: { 200: Type.Object({ n: Type.Integer({ minimum: 0, maximum: 10 }) }), ...problemResponses(404) },
          },
        },
        async () => ({ n: 1 }),
      );
      app.post("/api/demo/internal/resolve", { schema: { ...gatewayProofAuth, tags: ["internal"] } }, ok);
    });
    const list = doc.paths["/api/demo/things"].get;
    expect(Object.keys(list.responses).sort()).toEqual(["200", "400", "401", "404", "429", "500"]);
    for (const status of ["200", "400", "401", "404", "429"]) {
      expect(Object.keys(list.responses[status].headers)).toEqual(
        expect.arrayContaining(["RateLimit-Limit", "RateLimit-Reset", "Access-Control-Allow-Origin"]),
      );
    }
    expect(list.responses["429"].headers["Retry-After"]).toEqual({ $ref: "#/components/headers/Retry-After" });
    expect(list.responses["500"]).toEqual({ $ref: "#/components/responses/InternalError" });
    expect(list.parameters.map((p: any) => p.schema.format)).toEqual(["int32", "int32"]);
    expect(list.responses["200"].content["application/json"].schema.properties.n.format).toBe("int32");

    // The gateway never routes /internal/: no rate limit, no 429.
    const internal = doc.paths["/api/demo/internal/resolve"].post;
    expect(internal["x-internal"]).toBe(true);
    expect(internal.security).toEqual([{ gatewayProof: [] }]);
    expect(internal.responses["401"]).toEqual({ $ref: "#/components/responses/Unauthorized" });
    expect(internal.responses).not.toHaveProperty("429");
    expect(doc.components.responses.Unauthorized.content).toHaveProperty("application/problem+json");
    expect(doc.components.schemas.Problem.required).toContain("code");
    expect(doc.tags).toEqual([{ name: "internal" }, { name: "things" }]);
  });

  it("bounds path parameters as the router does, and names a wildcard", async () => {
    const doc = await documentOf((app) => {
      app.get("/api/demo/by-slug/:slug", { schema: { params: Type.Object({ slug: Type.String() }) } }, ok);
      app.get("/api/demo/files/*", { schema: { params: Type.Object({ "*": Type.String({ maxLength: 200 }) }) } }, ok);
    });
    expect(doc.paths["/api/demo/by-slug/{slug}"].get.parameters[0].schema.maxLength).toBe(MAX_PATH_PARAM_LENGTH);
    const files = doc.paths["/api/demo/files/{path}"].get;
    expect(files.parameters[0]).toMatchObject({ name: "path", in: "path", schema: { maxLength: 200 } });
    expect(files.operationId).toBe("getFilesPath");
    const longest = await app!.inject({ method: "GET", url: `/api/demo/by-slug/${"a".repeat(MAX_PATH_PARAM_LENGTH)}` });
    const tooLong = await app!.inject({
      method: "GET",
      url: `/api/demo/by-slug/${"a".repeat(MAX_PATH_PARAM_LENGTH + 1)}`,
    });
    expect([longest.statusCode, tooLong.statusCode]).toEqual([200, 414]);
  });

  it("makes operationIds from the method and the path after the service's prefix", () => {
    expect(operationIdOf("GET", "/api/identity/.well-known/jwks.json")).toBe("getWellKnownJwksJson");
    expect(operationIdOf("POST", "/api/cart/carts/:id/items/:variantId")).toBe("postCartsByIdItemsByVariantId");
    expect(operationIdOf("GET", "/api/demo")).toBe("getRoot");
  });

  it("leaves a document without operations as it is", async () => {
    const doc = await documentOf(() => {});
    expect(doc.paths).toEqual({});
    expect(doc.components).not.toHaveProperty("responses");
  });
});
