import type { EventData, EventEnvelope } from "@comptoir/contracts";
import type { Queryable } from "@comptoir/platform";
import * as products from "../db/products.repo";
import type { Stamp } from "../db/products.repo";

/*
 * The products read model, fed by catalog's product and variant events and inventory's stock events.
 * Each runs in the transaction of the event it applies; every write is guarded by the event's instant
 * (an older or repeated event changes nothing), and the products it touches are refreshed after it,
 * so a stock level that came before its variant counts as soon as the variant arrives.
 */

const stampOf = (event: Pick<EventEnvelope, "id" | "occurredAt">): Stamp => ({
  at: event.occurredAt,
  eventId: event.id,
});

type ProductEvent = EventEnvelope<"catalog.product.created" | "catalog.product.updated">;

/** catalog.product.created|updated: the product's whole new state, its variants included. */
export async function applyProductChanged(tx: Queryable, event: ProductEvent): Promise<void> {
  const p: EventData<"catalog.product.created"> = event.data;
  const stamp = stampOf(event);
  await products.lockCategoriesShared(tx);
  await products.lockVariants(
    tx,
    p.variants.map((v) => v.id),
  );
  const thumbnail = [...p.images].sort((a, b) => a.position - b.position)[0]?.thumbnailUrl ?? null;
  await products.upsertProduct(
    tx,
    {
      id: p.id,
      name: p.name,
      slug: p.slug,
      description: p.description,
      brand: p.brand,
      status: p.status,
      categoryId: p.categoryId,
      attributes: p.attributes,
      thumbnailUrl: thumbnail,
    },
    stamp,
    event.type === "catalog.product.created",
  );
  await products.upsertVariants(
    tx,
    p.variants.map((v, position) => ({
      id: v.id,
      productId: p.id,
      sku: v.sku,
      barcode: v.barcode,
      options: v.options,
      price: v.price,
      compareAtPrice: v.compareAtPrice,
      currency: v.currency,
      position,
    })),
    stamp,
  );
  await products.dropOtherVariants(
    tx,
    p.id,
    p.variants.map((v) => v.id),
    stamp,
  );
  await products.refreshProducts(tx, [p.id]);
}

/** catalog.product.archived: no longer found by search. */
export async function applyProductArchived(
  tx: Queryable,
  event: EventEnvelope<"catalog.product.archived">,
): Promise<void> {
  await products.lockCategoriesShared(tx);
  await products.archiveProduct(tx, event.data, stampOf(event));
  await products.refreshProducts(tx, [event.data.id]);
}

/** catalog.variant.created: a variant, with its product or added to it later. */
export async function applyVariantCreated(
  tx: Queryable,
  event: EventEnvelope<"catalog.variant.created">,
): Promise<void> {
  const v = event.data;
  await products.lockCategoriesShared(tx);
  await products.lockVariants(tx, [v.id]);
  await products.upsertVariants(
    tx,
    [
      {
        id: v.id,
        productId: v.productId,
        sku: v.sku,
        barcode: v.barcode,
        options: v.options,
        price: v.price,
        compareAtPrice: v.compareAtPrice,
        currency: v.currency,
        position: 1_000,
      },
    ],
    stampOf(event),
  );
  await products.refreshProducts(tx, [v.productId]);
}

/** catalog.variant.price_changed: the variant's new price. */
export async function applyPriceChanged(
  tx: Queryable,
  event: EventEnvelope<"catalog.variant.price_changed">,
): Promise<void> {
  const d = event.data;
  await products.lockCategoriesShared(tx);
  const productId = await products.changePrice(
    tx,
    { variantId: d.variantId, price: d.newPrice, currency: d.currency },
    stampOf(event),
  );
  if (productId) await products.refreshProducts(tx, [productId]);
}

/** inventory.stock.changed: the level of one (variant, location) after a movement. */
export async function applyStockChanged(tx: Queryable, event: EventEnvelope<"inventory.stock.changed">): Promise<void> {
  const d = event.data;
  await products.lockCategoriesShared(tx);
  await products.lockVariants(tx, [d.variantId]);
  const productId = await products.upsertStock(
    tx,
    {
      variantId: d.variantId,
      locationId: d.locationId,
      locationKind: d.locationKind,
      storeId: d.storeId,
      onHand: d.onHand,
      available: d.available,
    },
    stampOf(event),
  );
  if (productId) await products.refreshProducts(tx, [productId]);
}

/**
 * After a category changed or went: its products' paths, documents and visibility follow. Call before
 * writing the category: it waits for product changes in flight, which then see the change.
 */
export async function lockForCategoryChange(tx: Queryable): Promise<void> {
  await products.lockCategoriesExclusive(tx);
}

/** After a category changed or went: its products' paths, documents and visibility follow. */
export async function refreshCategoryProducts(tx: Queryable, categoryId: string): Promise<void> {
  await products.refreshProducts(tx, await products.productsUnderCategory(tx, categoryId));
}

/** Empties the products read model before a replay rebuilds it. */
export function resetProducts(tx: Queryable): Promise<void> {
  return products.clearProducts(tx);
}
