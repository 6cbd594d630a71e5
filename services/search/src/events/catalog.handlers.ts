import type { EventBus } from "@comptoir/platform";
import * as repo from "../db/categories.repo";

/**
 * Keeps `search_categories` in step with catalog's categories, in consumer group "search". Each
 * event carries the category's whole new state, so applying it is an upsert (or a delete); the
 * bus runs it once per event, in order per category, in the transaction that records it handled.
 */
export function catalogHandlers(bus: EventBus): void {
  bus.subscribe(
    "search",
    ["catalog.category.created", "catalog.category.updated"],
    async (event, tx) => repo.upsertCategory(tx, { ...event.data, updatedAt: event.occurredAt }),
    { onReset: (tx) => repo.clearCategories(tx) },
  );
  bus.subscribe("search", ["catalog.category.deleted"], async (event, tx) => repo.deleteCategory(tx, event.data.id));
}
