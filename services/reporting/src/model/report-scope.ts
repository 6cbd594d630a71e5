import { reportingHttp } from "@comptoir/contracts/http";

/**
 * Which channels a report covers, and whether the caller may read them. Pure: the routes map the
 * errors to problems (403 for a scope, 400 for a filter that contradicts itself).
 */

/** The channels of a report: every one, online only, the stores (all), or one store. */
export type ChannelFilter =
  { kind: "all" } | { kind: "online" } | { kind: "stores" } | { kind: "store"; storeId: string };

export class ScopeError extends Error {
  override name = "ScopeError";
}

export class FilterError extends Error {
  override name = "FilterError";
}

export function channelFilterOf(query: {
  storeId?: string | undefined;
  channel?: reportingHttp.ReportChannel | undefined;
}): ChannelFilter {
  if (query.storeId) {
    if (query.channel === reportingHttp.ONLINE_CHANNEL)
      throw new FilterError("storeId names a store: channel=online contradicts it");
    return { kind: "store", storeId: query.storeId };
  }
  if (query.channel === "online") return { kind: "online" };
  if (query.channel === "store") return { kind: "stores" };
  return { kind: "all" };
}

/** The filter as the repository's SQL takes it: one channel (or any), and whether online is left out. */
export function sqlFilterOf(filter: ChannelFilter): { channel: string | null; storesOnly: boolean } {
  switch (filter.kind) {
    case "all":
      return { channel: null, storesOnly: false };
    case "online":
      return { channel: reportingHttp.ONLINE_CHANNEL, storesOnly: false };
    case "stores":
      return { channel: null, storesOnly: true };
    case "store":
      return { channel: filter.storeId, storesOnly: false };
  }
}

/**
 * A manager reads their own store only: a report naming another store, or covering more than their
 * store (consolidated, online), is refused. Every other caller with `reports:read` (an admin) reads all.
 */
export function checkScope(caller: { role: string; storeId: string | null }, filter: ChannelFilter): void {
  if (caller.role !== "manager") return;
  if (!caller.storeId) throw new ScopeError("A manager with no store reads no report.");
  if (filter.kind !== "store") {
    throw new ScopeError("A manager reads their own store's figures only: name it with storeId.");
  }
  if (filter.storeId !== caller.storeId) throw new ScopeError("A manager reads their own store's figures only.");
}
