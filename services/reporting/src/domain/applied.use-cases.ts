import type { EventEnvelope } from "@comptoir/contracts";
import type { Queryable } from "@comptoir/platform";
import * as applied from "../db/applied.repo";

/**
 * Applies an event to the read model at most once, whoever applies it (the live handlers, a rebuild
 * into its copies, the rebuild's catch-up after the swap): its id goes into reporting_applied in the
 * same transaction first, and a second application finds it and does nothing. The rollups add, so an
 * event applied twice would count twice. Every handler of consumer group "reporting" goes through
 * here (events/subscriptions.ts).
 */
export async function applyOnce(tx: Queryable, event: EventEnvelope, apply: () => Promise<void>): Promise<void> {
  if (await applied.markApplied(tx, event.id)) await apply();
}

/** Forgets the events applied before a replay from the start (with the rest of the model). */
export const resetApplied = (tx: Queryable): Promise<void> => applied.clearApplied(tx);
