import { randomUUID } from "node:crypto";
import { metricsText, metricValue } from "@comptoir/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type RetailWorld, startRetail } from "./support/harness";
import { expectStatus, sell } from "./support/sales";

let world: RetailWorld;
beforeAll(async () => {
  world = await startRetail("metrics");
}, 120_000);
afterEach(() => world.clock.reset());
afterAll(async () => world?.close());

const metrics = () => metricsText(world.retail);

describe("retail's business metrics", () => {
  it("count a till sale once by store code (its replay too), its revenue, and a return", async () => {
    const { store, register } = await world.till();
    const product = await world.product({ price: 1250, stock: 10, locationId: store.locationId });
    const before = await metrics();
    const key = randomUUID();
    const body = {
      registerId: register.id,
      lines: [{ variantId: product.variantId, quantity: 2 }],
      tenders: [{ method: "cash", amount: 2500 }],
    };
    expectStatus(await sell(store.clerk.api, body, key), 201);
    expectStatus(await sell(store.clerk.api, body, key), 201);
    const ret = await store.manager.api.post(
      "/api/retail/returns",
      {
        registerId: register.id,
        lines: [{ variantId: product.variantId, quantity: 1 }],
        refundMethod: "store_credit",
        reason: "gift",
      },
      { "idempotency-key": randomUUID() },
    );
    expectStatus(ret, 201);

    const after = await metrics();
    const delta = (name: string, labels: Record<string, string>) =>
      metricValue(after, name, labels) - metricValue(before, name, labels);
    expect(delta("comptoir_pos_sales_total", { store: store.code })).toBe(1);
    expect(delta("comptoir_pos_returns_total", { store: store.code })).toBe(1);
    expect(delta("comptoir_revenue_minor_total", { channel: "store", currency: "EUR" })).toBe(2500);
  });

  it("show the sessions still open past their store's closing time, by store code", async () => {
    // Monday 10 March 2025, 10:00 in Paris; the store closes at 19:00 (18:00 UTC).
    world.clock.set("2025-03-10T09:00:00Z");
    const { store } = await world.till();
    const open = (text: string) =>
      metricValue(text, "comptoir_retail_sessions_open_past_closing", { store: store.code });
    world.clock.set("2025-03-10T17:59:00Z");
    const evening = await metrics();
    expect(evening).toContain(`comptoir_retail_sessions_open_past_closing{`);
    expect(open(evening)).toBe(0);
    world.clock.set("2025-03-11T02:00:00Z");
    expect(open(await metrics())).toBe(1);
  });
});
