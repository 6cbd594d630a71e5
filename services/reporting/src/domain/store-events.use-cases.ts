import type { EventEnvelope } from "@comptoir/contracts";
import type { Queryable } from "@comptoir/platform";
import { lockSalesModel } from "../db/rollups.repo";
import * as stores from "../db/stores.repo";
import { recordApplied } from "./progress.use-cases";

/**
 * A store's whole state from retail (created or updated): its code, name and time zone, as every
 * retail event tells them (the newest event wins), and its weekly opening hours, which only store
 * events carry, under their own stamp (an older store event arriving late changes nothing). In the
 * handler's transaction, under the sales model's write lock (the sales handlers write the same rows).
 */
export async function applyStoreChanged(
  tx: Queryable,
  event: EventEnvelope<"retail.store.created" | "retail.store.updated">,
): Promise<void> {
  await lockSalesModel(tx);
  const stamp = { at: event.occurredAt, eventId: event.id };
  const { id, code, name, timezone, openingHours } = event.data;
  await stores.upsertStore(tx, { id, code, name, timezone }, stamp);
  await stores.setStoreHours(tx, id, openingHours, stamp);
  await recordApplied(tx, event);
}
