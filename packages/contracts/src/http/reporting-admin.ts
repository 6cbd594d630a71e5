import { endpoint } from "./endpoint";
import { Freshness, RebuildState } from "./read-model";

// ——— The reporting read model's operations (permission `events:admin`; `comptoir reporting rebuild|status`) ———

export { Freshness, RebuildPhase, RebuildState, StreamFreshness } from "./read-model";

/** Starts a rebuild in the background (202 with its first state); 409 rebuild_in_progress if one runs. */
export const rebuild = endpoint({
  method: "POST",
  path: "/api/reporting/admin/rebuild",
  responses: { 202: RebuildState },
  errors: ["rebuild_in_progress"],
});

/** The last rebuild's progress. */
export const rebuildState = endpoint({
  method: "GET",
  path: "/api/reporting/admin/rebuild",
  responses: { 200: RebuildState },
});

/** Per stream reporting reads: events not applied yet and how far behind in time. */
export const freshness = endpoint({
  method: "GET",
  path: "/api/reporting/admin/freshness",
  responses: { 200: Freshness },
});

export const endpoints = { rebuild, rebuildState, freshness };
