import type { EventBus } from "@comptoir/events";
import * as catalog from "../domain/catalog.use-cases";

/**
 * Catalog's categories and products (names, categories) for the sales reports, in consumer group
 * "reporting". Each event carries the new state and applies only if newer than the row's (instant,
 * then id). A replay from the start clears them first.
 */
export function catalogHandlers(bus: Pick<EventBus, "subscribe">): void {
  bus.subscribe(
    "reporting",
    ["catalog.category.created", "catalog.category.updated"],
    (event, tx) => catalog.applyCategoryChanged(tx, event),
    { onReset: (tx) => catalog.resetCatalog(tx) },
  );
  bus.subscribe("reporting", ["catalog.category.deleted"], (event, tx) => catalog.applyCategoryDeleted(tx, event));
  bus.subscribe("reporting", ["catalog.product.created", "catalog.product.updated"], (event, tx) =>
    catalog.applyProductChanged(tx, event),
  );
}
