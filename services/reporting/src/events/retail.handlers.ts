import type { EventBus } from "@comptoir/events";
import * as sales from "../domain/sales-events.use-cases";

/**
 * Till sales, returns, voids and register closings from retail's events, in consumer group
 * "reporting", on the store's own days (the time zone every retail event carries). Voids are
 * order-independent: see sales_documents (migration 008).
 */
export function retailHandlers(bus: EventBus): void {
  bus.subscribe("reporting", ["retail.sale.completed"], (event, tx) => sales.applySaleCompleted(tx, event));
  bus.subscribe("reporting", ["retail.sale.returned"], (event, tx) => sales.applySaleReturned(tx, event));
  bus.subscribe("reporting", ["retail.sale.voided"], (event, tx) => sales.applySaleVoided(tx, event));
  bus.subscribe("reporting", ["retail.register.closed"], (event, tx) => sales.applyRegisterClosed(tx, event));
}
