import type { EventBus } from "@comptoir/events";
import * as stock from "../domain/stock.use-cases";

/**
 * The stock report's events, in consumer group "reporting": inventory's levels and alerts (threshold,
 * SKU, product name) and supply's requests (goods on their way). Each write is guarded by its event's
 * instant, so a repeated or older event changes nothing. A replay from the start clears them first.
 */
export function stockHandlers(bus: Pick<EventBus, "subscribe">): void {
  bus.subscribe("reporting", ["inventory.stock.changed"], (event, tx) => stock.applyStockChanged(tx, event), {
    onReset: (tx) => stock.resetLevels(tx),
  });
  bus.subscribe("reporting", ["inventory.alert.raised", "inventory.alert.resolved"], (event, tx) =>
    stock.applyAlert(tx, event),
  );
  bus.subscribe(
    "reporting",
    [
      "supply.request.created",
      "supply.request.approved",
      "supply.request.rejected",
      "supply.request.completed",
      "supply.request.failed",
    ],
    (event, tx) => stock.applySupplyRequest(tx, event),
    { onReset: (tx) => stock.resetSupplyRequests(tx) },
  );
}
