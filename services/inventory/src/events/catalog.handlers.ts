import type { EventBus, Outbox } from "@comptoir/platform";
import * as variants from "../db/variants.repo";
import { giveDemoStock } from "../domain/demo";

/**
 * Keeps `known_variants` in step with catalog, in consumer group "inventory": stock operations on a
 * variant catalog never announced are 404. Each handler runs in the transaction that records the
 * event as handled, so the demo stock a new variant receives (COMPTOIR_DEMO) is given exactly once.
 * No reset on replay: levels and the ledger refer to these rows, and every handler is an upsert.
 */
export function catalogHandlers(bus: EventBus, deps: { outbox: Outbox; demo: boolean }): void {
  bus.subscribe("inventory", ["catalog.product.created", "catalog.product.updated"], async (event, tx) => {
    const product = event.data;
    await variants.upsertVariants(
      tx,
      product.variants.map((v) => ({
        id: v.id,
        productId: product.id,
        sku: v.sku,
        name: product.name,
        status: product.status,
      })),
    );
  });
  bus.subscribe("inventory", ["catalog.product.archived"], async (event, tx) =>
    variants.setProductStatus(tx, event.data.id, "archived"),
  );
  bus.subscribe("inventory", ["catalog.variant.created"], async (event, tx) => {
    const v = event.data;
    const variant = { id: v.id, productId: v.productId, sku: v.sku, name: v.productName, status: v.productStatus };
    await variants.upsertVariants(tx, [variant]);
    if (deps.demo && !(await variants.hasStockLevels(tx, v.id))) await giveDemoStock(tx, deps.outbox, variant);
  });
}
