import { metricsText, metricValue } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CENTRAL, knownVariant, receive, type Supply, type SupplyInstance, startSupply } from "./support/harness";

let supply: Supply;
let s: SupplyInstance;
let shirt: string;
beforeAll(async () => {
  supply = await startSupply("metrics");
  s = await supply.instance("supply-1");
  shirt = await knownVariant(supply, "T-shirt");
  await receive(supply, shirt, CENTRAL, 20);
});
afterAll(() => supply?.close());

const request = async () => {
  const res = await s.clerk.post("/api/supply/requests", {
    locationId: supply.store1,
    items: [{ variantId: shirt, quantity: 2 }],
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
};

describe("supply's business metrics", () => {
  it("count each decision once (a second decision is refused and counts nothing), and the transfer's outcome", async () => {
    const before = await metricsText(s.app);
    const approved = await request();
    const rejected = await request();
    expect((await s.manager.post(`/api/supply/requests/${approved}/approve`)).status).toBe(200);
    expect((await s.manager.post(`/api/supply/requests/${rejected}/reject`, { reason: "not now" })).status).toBe(200);
    expect((await s.manager.post(`/api/supply/requests/${rejected}/approve`)).status).toBe(409);

    const after = await metricsText(s.app);
    const delta = (name: string, labels: Record<string, string>) =>
      metricValue(after, name, labels) - metricValue(before, name, labels);
    expect(delta("comptoir_replenishment_decisions_total", { decision: "approved" })).toBe(1);
    expect(delta("comptoir_replenishment_decisions_total", { decision: "rejected" })).toBe(1);
    expect(delta("comptoir_replenishment_outcomes_total", { outcome: "completed" })).toBe(1);
  });
});
