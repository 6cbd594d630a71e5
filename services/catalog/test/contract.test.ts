import { catalogHttp } from "@comptoir/contracts/http";
import { createApp } from "@comptoir/platform";
import { contractMismatches, testLogger } from "@comptoir/testing";
import { describe, expect, it } from "vitest";
import { productsRoutes } from "../src/routes/products.routes";

describe("catalog's HTTP contract", () => {
  it("every endpoint other services call is registered with the contract's schemas", async () => {
    const app = await createApp({ service: "catalog", instance: "catalog-contract", logger: testLogger("catalog") });
    // Registration only: no request reaches a use case, so no dependency is needed.
    const deps = {} as never;
    productsRoutes(app, deps);
    try {
      expect(await contractMismatches(app, catalogHttp.endpoints)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
