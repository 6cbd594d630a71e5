import type { EventBus, Outbox } from "@comptoir/events";
import { archiveProduct, learnProduct, learnVariant } from "../domain/variants.use-cases";

/**
 * Keeps `known_variants` in step with catalog, in consumer group "inventory". Each handler runs in
 * the transaction that records the event as handled, so the demo stock a demo catalog's variant
 * receives (COMPTOIR_DEMO) is given exactly once; a variant someone creates gets none.
 * No reset on replay: levels and the ledger refer to these rows, and every handler is an upsert.
 */
export function catalogHandlers(bus: EventBus, deps: { outbox: Outbox; demo: boolean }): void {
  bus.subscribe("inventory", ["catalog.product.created", "catalog.product.updated"], (event, tx) =>
    learnProduct(tx, event.data),
  );
  bus.subscribe("inventory", ["catalog.product.archived"], (event, tx) => archiveProduct(tx, event.data.id));
  bus.subscribe("inventory", ["catalog.variant.created"], (event, tx) => learnVariant(tx, deps, event.data));
}
