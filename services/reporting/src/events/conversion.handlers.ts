import type { EventBus } from "@comptoir/events";
import * as conversion from "../domain/conversion.use-cases";

/**
 * The online conversion funnel's events, in consumer group "reporting": carts created and filled
 * (cart's stream), checkouts started (orders'), each counted on the local day (REPORTING_ONLINE_TIMEZONE)
 * of its own instant. Orders paid are the sales model's (orders.handlers.ts). A replay from the start
 * clears the counts first.
 */
export function conversionHandlers(bus: Pick<EventBus, "subscribe">, options: { onlineTimeZone: string }): void {
  const { onlineTimeZone } = options;
  bus.subscribe(
    "reporting",
    ["cart.cart.created"],
    (event, tx) => conversion.applyCartCreated(tx, event, onlineTimeZone),
    {
      onReset: (tx) => conversion.resetConversion(tx),
    },
  );
  bus.subscribe("reporting", ["cart.cart.filled"], (event, tx) =>
    conversion.applyCartFilled(tx, event, onlineTimeZone),
  );
  bus.subscribe("reporting", ["orders.checkout.started"], (event, tx) =>
    conversion.applyCheckoutStarted(tx, event, onlineTimeZone),
  );
}
