import { type EventType, streamOf } from "@comptoir/contracts";
import {
  type ApplyEvent,
  type EventBus,
  ReadModelRebuilder,
  type RebuildPhase,
  readModelFreshness,
  type StreamFreshness,
} from "@comptoir/events";
import type { Db, Logger } from "@comptoir/platform";
import * as rebuild from "../db/rebuild.repo";

/*
 * `comptoir reporting rebuild`: replays every stream reporting reads from the first event into copies
 * of the read model's tables, then swaps them in and catches up on what the live handlers applied to
 * the old tables meanwhile (the event backbone's ReadModelRebuilder). The rollups add, so applying an
 * event twice would count it twice: every application, live or rebuilt, goes through applyOnce
 * (applied.use-cases.ts), and the copy's own reporting_applied says which events it holds.
 */

export interface RebuildDeps {
  db: Db;
  bus: EventBus;
  logger: Logger;
  /** The live handlers, guarded, by event type (events/subscriptions.ts' reportingAppliers). */
  apply: Readonly<Record<string, ApplyEvent>>;
  /** For tests: awaited as the rebuild enters a phase. */
  onPhase?: (phase: RebuildPhase) => Promise<void>;
}

/** The streams the read model reads: those of the event types it handles. */
export const streamsOf = (apply: Readonly<Record<string, ApplyEvent>>): string[] =>
  [...new Set(Object.keys(apply).map((type) => streamOf(type as EventType)))].sort();

/** One rebuild at a time; its progress for `GET /admin/rebuild`. */
export function reportingRebuilder(deps: RebuildDeps): ReadModelRebuilder {
  return new ReadModelRebuilder({
    service: "reporting",
    db: deps.db,
    bus: deps.bus,
    logger: deps.logger,
    streams: streamsOf(deps.apply),
    apply: deps.apply,
    tables: async () => [...rebuild.READ_MODEL_TABLES],
    onPhase: deps.onPhase,
  });
}

/** How far behind each stream it reads the live read model is. */
export function freshness(deps: {
  db: Db;
  bus: EventBus;
  apply: Readonly<Record<string, ApplyEvent>>;
}): Promise<StreamFreshness[]> {
  return readModelFreshness(deps.bus, "reporting", streamsOf(deps.apply), () => rebuild.lastAppliedAt(deps.db));
}
