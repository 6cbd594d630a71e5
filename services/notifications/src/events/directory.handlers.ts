import type { EventBus } from "@comptoir/platform";
import * as directory from "../db/directory.repo";

/** The consumer group of the read models: replaying it rebuilds them without touching the mails. */
export const DIRECTORY_GROUP = "notifications-directory";

const optionsLabel = (options: Record<string, string>) => Object.values(options).join(" / ");

/**
 * Keeps what notifications needs to address and word its mails: users (to find a store's managers,
 * a requester's address and language) from identity, variants (to name requested goods) from
 * catalog. Every event carries the whole new state, so each handler is an upsert.
 */
export function directoryHandlers(bus: EventBus): void {
  bus.subscribe(
    DIRECTORY_GROUP,
    ["identity.user.registered", "identity.user.updated", "identity.user.deactivated"],
    async (event, tx) => {
      const u = event.data;
      await directory.upsertUser(
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
    },
    { onReset: (tx) => directory.clearDirectory(tx) },
  );
  bus.subscribe(DIRECTORY_GROUP, ["catalog.product.created", "catalog.product.updated"], async (event, tx) =>
    directory.upsertVariants(
      tx,
      event.data.variants.map((v) => ({
        id: v.id,
        sku: v.sku,
        productName: event.data.name,
        options: optionsLabel(v.options),
      })),
    ),
  );
  bus.subscribe(DIRECTORY_GROUP, ["catalog.variant.created"], async (event, tx) =>
    directory.upsertVariants(tx, [
      {
        id: event.data.id,
        sku: event.data.sku,
        productName: event.data.productName,
        options: optionsLabel(event.data.options),
      },
    ]),
  );
}
