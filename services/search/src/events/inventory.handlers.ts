import type { EventBus } from "@comptoir/events";
import * as products from "../domain/products.use-cases";

/**
 * Stock per (variant, location) from inventory, in consumer group "search": kept even for a variant
 * catalog has not announced yet (its product counts it when it arrives); an older level never
 * overwrites a newer one. Cleared with the products model on a replay.
 */
export function inventoryHandlers(bus: EventBus): void {
  bus.subscribe("search", ["inventory.stock.changed"], (event, tx) => products.applyStockChanged(tx, event));
}
