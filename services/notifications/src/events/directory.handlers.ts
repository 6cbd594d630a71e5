import type { EventBus } from "@comptoir/events";
import * as directory from "../domain/directory.use-cases";

/** The consumer group of the read models: replaying it rebuilds them without touching the mails. */
export const DIRECTORY_GROUP = "notifications-directory";

/**
 * Keeps what notifications needs to address and word its mails: users (to find a store's managers,
 * a requester's address and language) from identity, variants (to name requested goods) from
 * catalog. Every event carries the whole new state, so each handler is an upsert.
 */
export function directoryHandlers(bus: EventBus): void {
  bus.subscribe(
    DIRECTORY_GROUP,
    ["identity.user.registered", "identity.user.updated", "identity.user.deactivated"],
    async (event, tx) => directory.applyUserChanged(tx, event),
    { onReset: (tx) => directory.resetDirectory(tx) },
  );
  bus.subscribe(DIRECTORY_GROUP, ["catalog.product.created", "catalog.product.updated"], async (event, tx) =>
    directory.applyProductChanged(tx, event.data),
  );
  bus.subscribe(DIRECTORY_GROUP, ["catalog.variant.created"], async (event, tx) =>
    directory.applyVariantCreated(tx, event.data),
  );
}
