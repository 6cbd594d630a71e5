import type { EventBus } from "@comptoir/events";
import * as sales from "../domain/sales-events.use-cases";
import * as storeEvents from "../domain/store-events.use-cases";
import { guardedInBatch } from "./guard";

/**
 * Till sales, returns, voids and register closings from retail's events, in consumer group
 * "reporting", on the store's own days (the time zone every retail event carries). Voids are
 * order-independent: see sales_documents (migration 008).
 */
export function retailHandlers(bus: Pick<EventBus, "subscribe">): void {
  bus.subscribe(
    "reporting",
    ["retail.sale.completed"],
    guardedInBatch(async (event, _tx, { batch }) => sales.applySaleCompleted(batch, event)),
  );
  bus.subscribe(
    "reporting",
    ["retail.sale.returned"],
    guardedInBatch(async (event, _tx, { batch }) => sales.applySaleReturned(batch, event)),
  );
  bus.subscribe("reporting", ["retail.sale.voided"], (event, tx) => sales.applySaleVoided(tx, event));
  bus.subscribe(
    "reporting",
    ["retail.register.closed"],
    guardedInBatch(async (event, _tx, { batch }) => sales.applyRegisterClosed(batch, event)),
  );
  // The store's state, opening hours included (sales per opening hour).
  bus.subscribe("reporting", ["retail.store.created", "retail.store.updated"], (event, tx) =>
    storeEvents.applyStoreChanged(tx, event),
  );
}
