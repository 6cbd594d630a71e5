import type { EventData } from "@comptoir/contracts";
import type { Db, Queryable } from "@comptoir/platform";
import * as repo from "../db/categories.repo";
import type { SearchCategory } from "../model/category";
import { lockForCategoryChange, refreshCategoryProducts } from "./products.use-cases";

export interface CategoriesDeps {
  db: Db;
}

/** Every category, flat: grouped by parent (roots first), then by position and name. */
export function listCategories(deps: CategoriesDeps): Promise<SearchCategory[]> {
  return repo.listCategories(deps.db);
}

/**
 * Applies `catalog.category.created|updated`: the event carries the category's whole new state, so
 * applying it is an upsert, stamped with when catalog made the change (an older change is ignored); the
 * products in it or under it follow (path, document, visibility). In the handler's transaction.
 */
export async function applyCategoryChanged(
  tx: Queryable,
  change: { data: EventData<"catalog.category.created">; occurredAt: string },
): Promise<void> {
  await lockForCategoryChange(tx);
  await repo.upsertCategory(tx, { ...change.data, updatedAt: change.occurredAt });
  await refreshCategoryProducts(tx, change.data.id);
}

/** A deleted category's products (an empty leaf's: none, unless events crossed) are no longer found. */
export async function applyCategoryDeleted(tx: Queryable, data: EventData<"catalog.category.deleted">): Promise<void> {
  await lockForCategoryChange(tx);
  await repo.deleteCategory(tx, data.id);
  await refreshCategoryProducts(tx, data.id);
}

/** Empties the read model before a replay rebuilds it. */
export function resetCategories(tx: Queryable): Promise<void> {
  return repo.clearCategories(tx);
}
