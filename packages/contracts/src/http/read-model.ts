import { type Static, Type } from "typebox";
import { DateTime, Nullable } from "./schemas";

/*
 * What a read model built from events answers about itself (search's, reporting's): a rebuild's
 * progress and how far behind each stream it is (`comptoir <service> rebuild|status`).
 */

export const RebuildPhase = Type.Union([
  Type.Literal("idle"),
  Type.Literal("replaying"),
  Type.Literal("indexing"),
  Type.Literal("swapping"),
  Type.Literal("catching_up"),
  Type.Literal("done"),
  Type.Literal("failed"),
]);
export type RebuildPhase = Static<typeof RebuildPhase>;

/** A rebuild's progress (the last one's, `idle` when none ran since the instance started). */
export const RebuildState = Type.Object({
  phase: RebuildPhase,
  read: Type.Integer({ description: "events read so far" }),
  total: Type.Integer({ description: "events in the streams the read model reads when it started" }),
  startedAt: Nullable(DateTime),
  finishedAt: Nullable(DateTime),
  caughtUp: Type.Integer({
    description: "events read again after the swap (applied again, or skipped when already held)",
  }),
  error: Nullable(Type.String()),
});
export type RebuildState = Static<typeof RebuildState>;

/** How far behind one stream the read model is. */
export const StreamFreshness = Type.Object({
  stream: Type.String(),
  eventsBehind: Type.Integer(),
  lastAppliedAt: Nullable(DateTime),
  secondsBehind: Type.Number({ description: "0 when up to date; -1 when behind with nothing applied yet" }),
});
export type StreamFreshness = Static<typeof StreamFreshness>;

export const Freshness = Type.Object({ data: Type.Array(StreamFreshness) });
export type Freshness = Static<typeof Freshness>;
