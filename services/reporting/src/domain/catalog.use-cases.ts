import type { EventEnvelope } from "@comptoir/contracts";
import type { Queryable } from "@comptoir/platform";
import * as catalog from "../db/catalog.repo";
import { lockSalesModel } from "../db/rollups.repo";
import { recordApplied } from "./progress.use-cases";

/**
 * Catalog's categories and products as the reports name them. Each event carries the new state;
 * it applies only if newer than what the row holds (occurredAt, then id). In the handler's transaction,
 * under the sales model's write lock (sales handlers write product names too).
 */
const stampOf = (event: EventEnvelope) => ({ at: event.occurredAt, eventId: event.id });

export async function applyCategoryChanged(
  tx: Queryable,
  event: EventEnvelope<"catalog.category.created" | "catalog.category.updated">,
): Promise<void> {
  await lockSalesModel(tx);
  await catalog.upsertCategory(tx, event.data, stampOf(event));
  await recordApplied(tx, event);
}

export async function applyCategoryDeleted(tx: Queryable, event: EventEnvelope<"catalog.category.deleted">) {
  await lockSalesModel(tx);
  await catalog.deleteCategory(tx, event.data.id, stampOf(event));
  await recordApplied(tx, event);
}

export async function applyProductChanged(
  tx: Queryable,
  event: EventEnvelope<"catalog.product.created" | "catalog.product.updated">,
): Promise<void> {
  await lockSalesModel(tx);
  const { id, name, categoryId } = event.data;
  await catalog.upsertProduct(tx, { id, name, categoryId }, stampOf(event));
  await recordApplied(tx, event);
}

/** Empties the catalog model before a replay rebuilds it. */
export function resetCatalog(tx: Queryable): Promise<void> {
  return catalog.clearCatalog(tx);
}
