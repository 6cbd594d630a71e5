import { describe, expect, it } from "vitest";
import { breakingChanges } from "../../../scripts/openapi-diff.mjs";

/** `npm run openapi:check`'s summary (scripts/openapi-diff.mjs), on two small documents. */

const json = (schema: unknown) => ({ content: { "application/json": { schema } } });
const problem = { content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } } };

const before = {
  openapi: "3.1.0",
  components: {
    schemas: {
      Problem: { type: "object", properties: { code: { type: "string" } } },
      Price: { type: "object", properties: { amount: { type: "integer" }, currency: { type: "string" } } },
    },
  },
  paths: {
    "/api/shop/products": {
      get: {
        parameters: [{ in: "query", name: "limit", schema: { type: "integer" } }],
        responses: {
          200: json({
            type: "object",
            properties: {
              data: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    id: { type: "string" },
                    name: { type: "string" },
                    price: { $ref: "#/components/schemas/Price" },
                    legacy: { type: "object", properties: { code: { type: "string" } } },
                  },
                },
              },
            },
          }),
          404: problem,
        },
      },
      post: {
        requestBody: json({
          type: "object",
          required: ["name"],
          properties: { name: { type: "string" }, slug: { type: "string" }, stock: { type: "integer" } },
        }),
        responses: { 201: json({ type: "object", properties: { id: { type: "string" } } }) },
      },
    },
    "/api/shop/products/{id}": {
      delete: { parameters: [{ in: "path", name: "id", required: true }], responses: { 204: {} } },
    },
  },
};

const after = {
  openapi: "3.1.0",
  components: {
    schemas: {
      Problem: { type: "object", properties: { code: { type: "string" } } },
      // amount is now a decimal string
      Price: { type: "object", properties: { amount: { type: "string" }, currency: { type: "string" } } },
    },
  },
  paths: {
    "/api/shop/products": {
      get: {
        parameters: [
          { in: "query", name: "limit", schema: { type: "string" } },
          { in: "header", name: "x-shop", required: true, schema: { type: "string" } },
          { in: "query", name: "cursor", schema: { type: "string" } },
        ],
        responses: {
          200: json({
            type: "object",
            properties: {
              data: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    id: { type: "string" },
                    price: { $ref: "#/components/schemas/Price" },
                    extra: { type: "string" },
                  },
                },
              },
            },
          }),
          404: problem,
        },
      },
      post: {
        requestBody: {
          required: true,
          ...json({
            type: "object",
            required: ["name", "slug", "categoryId"],
            properties: {
              name: { type: "string" },
              slug: { type: "string" },
              stock: { anyOf: [{ type: "integer" }, { type: "null" }] },
              categoryId: { type: "string" },
              // A new optional object whose own fields are required asks nothing of old clients.
              seo: { type: "object", required: ["title"], properties: { title: { type: "string" } } },
            },
          }),
        },
        responses: { 200: json({ type: "object", properties: { id: { type: "string" } } }) },
      },
    },
  },
};

describe("the breaking-change summary of two OpenAPI documents", () => {
  it("lists removed operations and answers, removed and retyped fields, new required inputs", () => {
    expect(breakingChanges(before, after)).toEqual([
      "removed response field GET /api/shop/products 200: data[].name",
      "retyped response field GET /api/shop/products 200: data[].price.amount (integer → string)",
      "removed response field GET /api/shop/products 200: data[].legacy",
      "retyped parameter GET /api/shop/products: query.limit (integer → string)",
      "new required parameter GET /api/shop/products: header.x-shop",
      "removed response POST /api/shop/products 201",
      "new required request body POST /api/shop/products",
      "new required request field POST /api/shop/products: slug",
      "retyped request field POST /api/shop/products: stock (integer → integer|null)",
      "new required request field POST /api/shop/products: categoryId",
      "removed operation DELETE /api/shop/products/{id}",
    ]);
  });

  it("finds nothing between a document and itself, nor in additions", () => {
    expect(breakingChanges(before, before)).toEqual([]);
    expect(breakingChanges(after, after)).toEqual([]);
    const grown = structuredClone(before) as any;
    grown.paths["/api/shop/categories"] = { get: { responses: { 200: json({ type: "array" }) } } };
    grown.paths["/api/shop/products"].get.responses[200].content["application/json"].schema.properties.total = {
      type: "integer",
    };
    expect(breakingChanges(before, grown)).toEqual([]);
  });
});
