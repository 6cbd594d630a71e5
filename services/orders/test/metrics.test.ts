import { randomUUID } from "node:crypto";
import { metricsText, metricValue } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkout, expectProblem, guestWith, type Shop, startShop, TEST_CARDS } from "./support/harness";

let shop: Shop;
beforeAll(async () => {
  shop = await startShop("metrics");
}, 60_000);
afterAll(async () => {
  await shop?.close();
});

const metrics = async () => metricsText(shop.orders.app);
const delivered = { channel: "online", fulfilment: "delivery" };

describe("orders' business metrics", () => {
  it("count an order placed and paid, its revenue and its checkout's duration once, whatever the replays", async () => {
    const before = await metrics();
    const product = await shop.world.product({ price: 1500, stock: 5 });
    const guest = await guestWith(shop, product.variantId, 2);
    const key = randomUUID();
    const res = await checkout(guest, { key });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    // The same key again answers the same order: nothing happens, nothing is counted again.
    expect((await checkout(guest, { key })).status).toBe(201);

    const after = await metrics();
    const delta = (name: string, labels: Record<string, string>) =>
      metricValue(after, name, labels) - metricValue(before, name, labels);
    expect(delta("comptoir_orders_placed_total", delivered)).toBe(1);
    expect(delta("comptoir_orders_paid_total", delivered)).toBe(1);
    expect(delta("comptoir_revenue_minor_total", { channel: "online", currency: "EUR" })).toBe(res.body.total);
    expect(delta("comptoir_checkout_duration_seconds_count", { outcome: "completed" })).toBe(1);
  });

  it("count a failed checkout once, by its reason", async () => {
    const before = await metrics();
    const product = await shop.world.product({ stock: 3 });
    const guest = await guestWith(shop, product.variantId, 1);
    const key = randomUUID();
    expectProblem(await checkout(guest, { key, number: TEST_CARDS.declined }), 402, "card_declined");
    expectProblem(await checkout(guest, { key, number: TEST_CARDS.declined }), 402, "card_declined");

    const after = await metrics();
    const failed = (text: string) => metricValue(text, "comptoir_orders_failed_total", { reason: "card_declined" });
    expect(failed(after) - failed(before)).toBe(1);
    const failedDuration = (text: string) =>
      metricValue(text, "comptoir_checkout_duration_seconds_count", { outcome: "failed" });
    expect(failedDuration(after) - failedDuration(before)).toBe(1);
    expect(metricValue(after, "comptoir_orders_paid_total") - metricValue(before, "comptoir_orders_paid_total")).toBe(
      0,
    );
  });
});
