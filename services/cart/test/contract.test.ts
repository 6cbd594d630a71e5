import { cartHttp } from "@comptoir/contracts/http";
import { createApp } from "@comptoir/platform";
import { contractMismatches, testLogger } from "@comptoir/testing";
import { describe, expect, it } from "vitest";
import { cartsRoutes } from "../src/routes/carts.routes";

describe("cart's HTTP contract", () => {
  it("every endpoint other services call is registered with the contract's schemas", async () => {
    const app = await createApp({ service: "cart", instance: "cart-contract", logger: testLogger("cart") });
    // Registration only: no request reaches a use case, so no dependency is needed.
    const deps = {} as never;
    cartsRoutes(app, deps);
    try {
      expect(await contractMismatches(app, cartHttp.endpoints)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
