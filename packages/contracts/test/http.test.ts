import { describe, expect, it } from "vitest";
import {
  COMMON_ERRORS,
  cartHttp,
  catalogHttp,
  type Endpoint,
  type ErrorCodeOf,
  endpoint,
  identityHttp,
  inventoryHttp,
  pathOf,
  paymentsHttp,
} from "../src/http";

const providers: Record<string, Record<string, Endpoint>> = {
  cart: cartHttp.endpoints,
  catalog: catalogHttp.endpoints,
  identity: identityHttp.endpoints,
  inventory: inventoryHttp.endpoints,
  payments: paymentsHttp.endpoints,
};
const all = Object.entries(providers).flatMap(([provider, endpoints]) =>
  Object.entries(endpoints).map(([name, e]) => ({ provider, name, e })),
);

describe("the HTTP contracts", () => {
  it.each(all)(
    "$provider.$name: its path params are its params schema's, under its provider's prefix",
    ({ provider, e }) => {
      expect(e.path.startsWith(`/api/${provider}/`)).toBe(true);
      const inPath = [...e.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]).sort();
      const declared = Object.keys((e.params as { properties?: object } | undefined)?.properties ?? {}).sort();
      expect(declared).toEqual(inPath);
      if (e.method === "GET") expect(e.body).toBeUndefined();
      expect(Object.keys(e.responses).every((s) => Number(s) >= 200 && Number(s) < 300)).toBe(true);
    },
  );

  it.each(all)("$provider.$name: lists each error code once, snake_case, the common ones included", ({ e }) => {
    expect(new Set(e.errors).size).toBe(e.errors.length);
    expect(e.errors.every((c) => /^[a-z]+(_[a-z0-9]+)*$/.test(c))).toBe(true);
    expect(e.errors).toEqual(expect.arrayContaining([...COMMON_ERRORS]));
  });

  it("types an endpoint's codes as a union of its own and the common ones", () => {
    const e = endpoint({ method: "POST", path: "/api/x/things", responses: {}, errors: ["thing_taken"] });
    const code: ErrorCodeOf<typeof e> = "thing_taken";
    const common: ErrorCodeOf<typeof e> = "validation_failed";
    // @ts-expect-error: not one of its codes
    const other: ErrorCodeOf<typeof e> = "thing_missing";
    expect([code, common, other]).toHaveLength(3);
    expect(e.errors).toEqual([...COMMON_ERRORS, "thing_taken"]);
  });

  it("fills a path's params, each URI-encoded, and refuses a missing one", () => {
    expect(pathOf("/api/x/things/:id/parts/:part", { id: "a b", part: "c/d" })).toBe("/api/x/things/a%20b/parts/c%2Fd");
    expect(() => pathOf("/api/x/things/:id", {})).toThrow(/no value for :id/);
  });
});
