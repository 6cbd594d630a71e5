import { paymentsHttp } from "@comptoir/contracts/http";
import { createApp } from "@comptoir/platform";
import { contractMismatches, testLogger } from "@comptoir/testing";
import { describe, expect, it } from "vitest";
import { paymentsRoutes } from "../src/routes/payments.routes";

describe("payments's HTTP contract", () => {
  it("every endpoint other services call is registered with the contract's schemas", async () => {
    const app = await createApp({ service: "payments", instance: "payments-contract", logger: testLogger("payments") });
    // Registration only: no request reaches a use case, so no dependency is needed.
    const deps = {} as never;
    paymentsRoutes(app, deps);
    try {
      expect(await contractMismatches(app, paymentsHttp.endpoints)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
