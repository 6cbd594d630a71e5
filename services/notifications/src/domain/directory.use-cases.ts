import type { EventData } from "@comptoir/contracts";
import type { Queryable } from "@comptoir/platform";
import * as directory from "../db/directory.repo";

type UserEventType = "identity.user.registered" | "identity.user.updated" | "identity.user.deactivated";

const optionsLabel = (options: Record<string, string>) => Object.values(options).join(" / ");

/** A user's state as of the event (each identity event carries the whole state). */
export function applyUserChanged(
  tx: Queryable,
  event: { type: UserEventType; data: EventData<UserEventType>; occurredAt: string },
): Promise<void> {
  const u = event.data;
  return directory.upsertUser(
    tx,
    {
      id: u.userId,
      email: u.email,
      name: u.name,
      role: u.role,
      storeId: u.storeId,
      language: u.language,
      active: event.type === "identity.user.deactivated" ? false : u.active,
    },
    event.occurredAt,
  );
}

/** A product's variants, named after it (each catalog product event carries the whole product). */
export function applyProductChanged(tx: Queryable, product: EventData<"catalog.product.created">): Promise<void> {
  return directory.upsertVariants(
    tx,
    product.variants.map((v) => ({
      id: v.id,
      sku: v.sku,
      productName: product.name,
      options: optionsLabel(v.options),
    })),
  );
}

export function applyVariantCreated(tx: Queryable, variant: EventData<"catalog.variant.created">): Promise<void> {
  return directory.upsertVariants(tx, [
    { id: variant.id, sku: variant.sku, productName: variant.productName, options: optionsLabel(variant.options) },
  ]);
}

/** Empties the read models before a replay of the directory group rebuilds them. */
export function resetDirectory(tx: Queryable): Promise<void> {
  return directory.clearDirectory(tx);
}
