import type { EventData } from "@comptoir/contracts";
import type { Db, Queryable } from "@comptoir/platform";
import * as repo from "../db/categories.repo";
import type { SearchCategory } from "../model/category";

export interface CategoriesDeps {
  db: Db;
}

/** Every category, flat: grouped by parent (roots first), then by position and name. */
export function listCategories(deps: CategoriesDeps): Promise<SearchCategory[]> {
  return repo.listCategories(deps.db);
}

/**
 * Applies `catalog.category.created|updated`: the event carries the category's whole new state, so
 * applying it is an upsert, stamped with when catalog made the change. In the handler's transaction.
 */
export function applyCategoryChanged(
  tx: Queryable,
  change: { data: EventData<"catalog.category.created">; occurredAt: string },
): Promise<void> {
  return repo.upsertCategory(tx, { ...change.data, updatedAt: change.occurredAt });
}

export function applyCategoryDeleted(tx: Queryable, data: EventData<"catalog.category.deleted">): Promise<void> {
  return repo.deleteCategory(tx, data.id);
}

/** Empties the read model before a replay rebuilds it. */
export function resetCategories(tx: Queryable): Promise<void> {
  return repo.clearCategories(tx);
}
