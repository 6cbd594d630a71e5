import type { EventBus } from "@comptoir/events";
import * as categories from "../domain/categories.use-cases";
import * as products from "../domain/products.use-cases";

/**
 * Keeps search's read models in step with catalog, in consumer group "search": categories, products
 * and variants. Each event carries the new state (or the change) and is applied only if newer than
 * what the row holds; the bus runs it once per event, in order per subject, in the transaction that
 * records it handled. A replay from the start clears both models first.
 */
export function catalogHandlers(bus: EventBus): void {
  bus.subscribe(
    "search",
    ["catalog.category.created", "catalog.category.updated"],
    async (event, tx) => categories.applyCategoryChanged(tx, event),
    { onReset: (tx) => categories.resetCategories(tx) },
  );
  bus.subscribe("search", ["catalog.category.deleted"], async (event, tx) =>
    categories.applyCategoryDeleted(tx, event.data),
  );
  bus.subscribe(
    "search",
    ["catalog.product.created", "catalog.product.updated"],
    (event, tx) => products.applyProductChanged(tx, event),
    { onReset: (tx) => products.resetProducts(tx) },
  );
  bus.subscribe("search", ["catalog.product.archived"], (event, tx) => products.applyProductArchived(tx, event));
  bus.subscribe("search", ["catalog.variant.created"], (event, tx) => products.applyVariantCreated(tx, event));
  bus.subscribe("search", ["catalog.variant.price_changed"], (event, tx) => products.applyPriceChanged(tx, event));
}
