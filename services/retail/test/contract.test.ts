import { retailHttp } from "@comptoir/contracts/http";
import { createApp } from "@comptoir/platform";
import { contractMismatches, testLogger } from "@comptoir/testing";
import { describe, expect, it } from "vitest";
import { journalRoutes } from "../src/routes/journal.routes";
import { registersRoutes } from "../src/routes/registers.routes";
import { returnsRoutes } from "../src/routes/returns.routes";
import { salesRoutes } from "../src/routes/sales.routes";
import { salesTotalsRoutes } from "../src/routes/sales-totals.routes";
import { storesRoutes } from "../src/routes/stores.routes";

describe("retail's HTTP contract", () => {
  it("every endpoint reporting and the CLI call is registered with the contract's schemas", async () => {
    const app = await createApp({ service: "retail", instance: "retail-contract", logger: testLogger("retail") });
    // Registration only: no request reaches a use case, so no dependency is needed.
    const deps = {} as never;
    storesRoutes(app, deps);
    registersRoutes(app, deps);
    salesRoutes(app, deps, deps);
    returnsRoutes(app, deps, deps);
    journalRoutes(app, deps);
    salesTotalsRoutes(app, deps);
    try {
      expect(await contractMismatches(app, retailHttp.endpoints)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
