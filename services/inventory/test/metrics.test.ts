import { metricsText, metricValue } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CENTRAL, type Inventory, knownVariant, receive, startInventory } from "./support/harness";

let inv: Inventory;
beforeAll(async () => {
  inv = await startInventory("metrics");
});
afterAll(async () => inv?.close());

const warehouse = { location_kind: "warehouse" };

describe("inventory's business metrics", () => {
  it("count a low-stock alert when raised and a stock-out when available reaches zero, once each", async () => {
    const variant = await knownVariant(inv, "Marinière");
    await receive(inv, variant, CENTRAL, 3);
    const threshold = await inv.admin.put("/api/inventory/thresholds", {
      variantId: variant,
      locationId: CENTRAL,
      threshold: 1,
    });
    expect(threshold.status, JSON.stringify(threshold.body)).toBe(200);
    const before = await metricsText(inv.app);
    const reserve = (reference: string) =>
      inv.admin.post("/api/inventory/reservations", {
        reference,
        locationId: CENTRAL,
        items: [{ variantId: variant, quantity: 1 }],
      });
    const sold = await inv.admin.post("/api/inventory/stock/adjust", {
      variantId: variant,
      locationId: CENTRAL,
      changeQuantity: -2,
      type: "sale",
    });
    expect(sold.status, JSON.stringify(sold.body)).toBe(201); // 1 left: at the threshold
    expect((await reserve("first")).status).toBe(201); // 0 available: a stock-out
    expect((await reserve("second")).status).toBe(409); // refused: nothing changed, nothing counted

    const after = await metricsText(inv.app);
    const delta = (name: string) => metricValue(after, name, warehouse) - metricValue(before, name, warehouse);
    expect(delta("comptoir_inventory_low_stock_alerts_total")).toBe(1);
    expect(delta("comptoir_inventory_stockouts_total")).toBe(1);
  });
});
