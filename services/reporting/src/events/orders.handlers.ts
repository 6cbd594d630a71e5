import type { EventBus } from "@comptoir/events";
import * as sales from "../domain/sales-events.use-cases";
import { guardedInBatch } from "./guard";

/**
 * Online sales from orders' events, in consumer group "reporting", on the days of the platform's time
 * zone (REPORTING_ONLINE_TIMEZONE): a paid order is a sale, a refund is booked on its own day; placed
 * and cancelled orders count nothing (not subscribed: a paid order's cancellation is followed by its refund). A replay from the start clears the sales model first.
 */
export function ordersHandlers(bus: Pick<EventBus, "subscribe">, options: { onlineTimeZone: string }): void {
  bus.subscribe(
    "reporting",
    ["orders.order.paid"],
    guardedInBatch(async (event, _tx, { batch }) => sales.applyOrderPaid(batch, event, options.onlineTimeZone)),
    {
      onReset: (tx) => sales.resetSales(tx),
    },
  );
  bus.subscribe(
    "reporting",
    ["orders.order.refunded"],
    guardedInBatch(async (event, _tx, { batch }) => sales.applyOrderRefunded(batch, event, options.onlineTimeZone)),
  );
}
