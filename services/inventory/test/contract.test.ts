import { inventoryHttp } from "@comptoir/contracts/http";
import { createApp } from "@comptoir/platform";
import { contractMismatches, testLogger } from "@comptoir/testing";
import { describe, expect, it } from "vitest";
import { availabilityRoutes } from "../src/routes/availability.routes";
import { locationsRoutes } from "../src/routes/locations.routes";
import { reservationsRoutes } from "../src/routes/reservations.routes";
import { stockRoutes } from "../src/routes/stock.routes";
import { transfersRoutes } from "../src/routes/transfers.routes";

describe("inventory's HTTP contract", () => {
  it("every endpoint other services call is registered with the contract's schemas", async () => {
    const app = await createApp({
      service: "inventory",
      instance: "inventory-contract",
      logger: testLogger("inventory"),
    });
    // Registration only: no request reaches a use case, so no dependency is needed.
    const deps = {} as never;
    for (const routes of [availabilityRoutes, locationsRoutes, reservationsRoutes, stockRoutes, transfersRoutes]) {
      routes(app, deps);
    }
    try {
      expect(await contractMismatches(app, inventoryHttp.endpoints)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
