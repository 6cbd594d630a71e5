import type { EventBus } from "@comptoir/events";
import * as categories from "../domain/categories.use-cases";

/**
 * Keeps `search_categories` in step with catalog's categories, in consumer group "search". Each
 * event carries the category's whole new state, so applying it is an upsert (or a delete); the
 * bus runs it once per event, in order per category, in the transaction that records it handled.
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
}
