import { identityHttp } from "@comptoir/contracts/http";
import { createApp } from "@comptoir/platform";
import { contractMismatches, testLogger } from "@comptoir/testing";
import { describe, expect, it } from "vitest";
import { meRoutes } from "../src/routes/me.routes";

describe("identity's HTTP contract", () => {
  it("every endpoint other services call is registered with the contract's schemas", async () => {
    const app = await createApp({ service: "identity", instance: "identity-contract", logger: testLogger("identity") });
    // Registration only: no request reaches a use case, so no dependency is needed.
    const deps = {} as never;
    meRoutes(app, deps);
    try {
      expect(await contractMismatches(app, identityHttp.endpoints)).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
