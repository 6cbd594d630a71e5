import type { EventData } from "@comptoir/contracts";
import type { Outbox } from "@comptoir/events";
import type { Tx } from "@comptoir/platform";
import * as variants from "../db/variants.repo";
import { giveDemoStock } from "./demo-stock";

/*
 * Inventory's read model of catalog's variants (`known_variants`): stock operations on a variant
 * catalog never announced are 404. Each runs in the transaction of the event it learns from; every
 * write is an upsert, so a replayed event changes nothing.
 */

/** A product's variants, as catalog.product.created|updated carry them. */
export async function learnProduct(tx: Tx, product: EventData<"catalog.product.created">): Promise<void> {
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
}

export async function archiveProduct(tx: Tx, productId: string): Promise<void> {
  await variants.setProductStatus(tx, productId, "archived");
}

/**
 * A new variant. One of the demo catalog's (`demo: true`) is marked so and, in demo mode, given its
 * demo stock once (unless it has stock already); a variant someone creates gets none.
 */
export async function learnVariant(
  tx: Tx,
  deps: { outbox: Outbox; demo: boolean },
  v: EventData<"catalog.variant.created">,
): Promise<void> {
  const variant = { id: v.id, productId: v.productId, sku: v.sku, name: v.productName, status: v.productStatus };
  await variants.upsertVariants(tx, [variant]);
  if (v.demo !== true) return;
  await variants.markDemo(tx, v.id);
  if (deps.demo && !(await variants.hasStockLevels(tx, v.id))) await giveDemoStock(tx, deps.outbox, variant);
}
