import type { EventType } from "@comptoir/contracts";
import type { EventHandler } from "@comptoir/events";
import type { Tx } from "@comptoir/platform";
import { applyOnce } from "../domain/applied.use-cases";
import { markChanged } from "../domain/version.use-cases";

/**
 * The guard that applies an event once to the read model (applied.use-cases), around every handler of
 * consumer group "reporting" (subscriptions.ts) — except those that take it themselves at their
 * batch's end (guardedInBatch: the sales booking, for a whole batch in one statement).
 */

const GUARDED_IN_BATCH = Symbol("reporting: guarded in its batch");

type Tagged<T extends EventType> = EventHandler<T> & { [GUARDED_IN_BATCH]?: true };

/** Marks a handler that applies its event once by itself, at its batch's end (sales-booking.use-cases). */
export function guardedInBatch<T extends EventType>(handler: EventHandler<T>): EventHandler<T> {
  return Object.assign(handler, { [GUARDED_IN_BATCH]: true as const });
}

/**
 * A handler that applies its event only if the read model does not hold it yet; either way its batch
 * gives the model a new version at its end (the reports' cached answers retire, answer-cache.ts).
 */
export function once<T extends EventType>(handler: Tagged<T>): EventHandler<T> {
  return (event, tx: Tx, context) => {
    context.batch.part(VERSION, () => true, markChanged);
    return handler[GUARDED_IN_BATCH]
      ? handler(event, tx, context)
      : applyOnce(tx, event, () => handler(event, tx, context));
  };
}

const VERSION = "reporting-version";
