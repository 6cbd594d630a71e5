import type { EventType } from "@comptoir/contracts";
import type { ApplyEvent, EventBus, EventHandler, SubscribeOptions } from "@comptoir/events";
import type { Logger, Tx } from "@comptoir/platform";
import { resetApplied } from "../domain/applied.use-cases";
import { markChanged } from "../domain/version.use-cases";
import { catalogHandlers } from "./catalog.handlers";
import { conversionHandlers } from "./conversion.handlers";
import { once } from "./guard";
import { ordersHandlers } from "./orders.handlers";
import { retailHandlers } from "./retail.handlers";
import { stockHandlers } from "./stock.handlers";

/** What a file of handlers needs of the bus. */
type Subscriber = Pick<EventBus, "subscribe">;

export interface HandlersOptions {
  /** The online channel's time zone (REPORTING_ONLINE_TIMEZONE). */
  onlineTimeZone: string;
}

/** Every handler of consumer group "reporting": each file's registrations. Add a new file here. */
function registerAll(bus: Subscriber, options: HandlersOptions): void {
  catalogHandlers(bus);
  ordersHandlers(bus, options);
  retailHandlers(bus);
  stockHandlers(bus);
  conversionHandlers(bus, options);
}

/**
 * Subscribes every handler of consumer group "reporting", each through the guard that applies an event
 * once to the read model; a replay from the start also forgets the events applied.
 */
export function subscribeReporting(bus: EventBus, options: HandlersOptions): void {
  let forgetsApplied = false;
  registerAll(
    {
      subscribe<T extends EventType>(
        group: string,
        types: readonly T[],
        handler: EventHandler<T>,
        subscribeOptions: SubscribeOptions = {},
      ) {
        const { onReset } = subscribeOptions;
        const first = !forgetsApplied;
        forgetsApplied = true;
        bus.subscribe(group, types, once(handler), {
          onReset: first
            ? async (tx) => {
                await resetApplied(tx);
                await onReset?.(tx);
                await markChanged(tx);
              }
            : onReset,
        });
      },
    },
    options,
  );
}

/**
 * The same handlers, through the same guard, by event type: what a rebuild applies (into the copies,
 * then to the live tables after the swap).
 */
export function reportingAppliers(options: HandlersOptions, logger: Logger): Record<string, ApplyEvent> {
  const table: Record<string, ApplyEvent> = {};
  registerAll(
    {
      subscribe<T extends EventType>(_group: string, types: readonly T[], handler: EventHandler<T>) {
        const guarded = once(handler);
        for (const type of types) {
          table[type] = (tx: Tx, event, batch) => guarded(event as never, tx, { logger, attempt: 1, batch });
        }
      },
    },
    options,
  );
  return table;
}
