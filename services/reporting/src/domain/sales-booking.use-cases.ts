import { type EventEnvelope, partitionOf, streamOf } from "@comptoir/contracts";
import type { BatchScope } from "@comptoir/events";
import type { Queryable } from "@comptoir/platform";
import * as applied from "../db/applied.repo";
import type { Stamp } from "../db/catalog.repo";
import * as documents from "../db/documents.repo";
import * as progress from "../db/progress.repo";
import * as rollups from "../db/rollups.repo";
import * as stores from "../db/stores.repo";
import type { Contribution } from "../model/contribution";
import { foldContributions } from "../model/fold";
import * as model from "../model/contribution";

/**
 * Ingestion's hot path: the paid orders, till sales, returns, refunds and register closings of a batch
 * of events (HandlerContext.batch) booked together at its end, in a handful of statements whatever the batch's size, instead of four
 * statements per event. In the batch's transaction, under the sales model's write lock: the events
 * not applied yet (reporting_applied, the guard every other handler takes one event at a time), the
 * documents not known yet, their contributions folded into one addition per rollup row, the newest
 * description of each store, the streams' progress. Booking at the batch's end instead of at each
 * event's turn changes no figure: what the other handlers write commutes with it (additions, voids
 * that leave a tombstone for a sale not booked yet, stamp-guarded stores).
 */

export interface Staged {
  event: EventEnvelope;
  /** A sales document (paid order, till sale): booked once, whatever the events announcing it. */
  doc?: { id: string; kind: "order" | "sale"; contribution: Contribution };
  /** What the event adds by itself (a return, a refund, a register's closing). */
  addition?: Contribution;
  /** The store a retail event names, remembered as its event describes it. */
  store?: stores.ReportingStore;
}

const KEY = "reporting-sales-booking";

/** Stages an event's booking for the end of its batch. */
export function stage(batch: BatchScope, staged: Staged): void {
  batch.part(KEY, () => [] as Staged[], bookStaged).push(staged);
}

const idOf = (id: string) => id.toLowerCase();

async function bookStaged(tx: Queryable, staged: readonly Staged[]): Promise<void> {
  // The guard (and the sales model's write lock): events the model holds already change nothing.
  const fresh = await applied.markAppliedMany(
    tx,
    staged.map((s) => s.event.id),
  );
  const toApply = staged.filter((s) => fresh.delete(idOf(s.event.id)));
  if (toApply.length === 0) return;

  const docs = toApply.flatMap((s) => (s.doc ? [s.doc] : []));
  const recorded = await documents.recordNewDocuments(tx, docs);
  const booked: Contribution[] = toApply.flatMap((s) => (s.addition ? [s.addition] : []));
  const known: NonNullable<Staged["doc"]>[] = [];
  for (const doc of docs) {
    if (recorded.delete(idOf(doc.id))) booked.push(doc.contribution);
    else known.push(doc);
  }
  if (booked.length > 0) await rollups.addRows(tx, foldContributions(booked));
  // Known already: announced again (nothing), or a void came first and its tombstone receives the sale.
  for (const doc of known) {
    const state = await documents.recordDocument(tx, doc.id, doc.kind, doc.contribution);
    if (state.state === "voided_before") await rollups.addContribution(tx, model.voidsOnly(doc.contribution));
  }

  for (const { store, stamp } of newestStores(toApply)) await stores.upsertStore(tx, store, stamp);
  for (const p of newestProgress(toApply)) await progress.recordProgress(tx, p.stream, p.partition, p.at);
}

/** Whether stamp a is older than b, as the stores' guard compares them (instant, then event id). */
const older = (a: Stamp, b: Stamp) =>
  Date.parse(a.at) < Date.parse(b.at) || (Date.parse(a.at) === Date.parse(b.at) && idOf(a.eventId) < idOf(b.eventId));

/** Each store's newest description among the events (the one its stamp-guarded upsert would keep). */
function newestStores(staged: readonly Staged[]): { store: stores.ReportingStore; stamp: Stamp }[] {
  const newest = new Map<string, { store: stores.ReportingStore; stamp: Stamp }>();
  for (const s of staged) {
    if (!s.store) continue;
    const stamp = { at: s.event.occurredAt, eventId: s.event.id };
    const current = newest.get(s.store.id);
    if (!current || older(current.stamp, stamp)) newest.set(s.store.id, { store: s.store, stamp });
  }
  return [...newest.values()].sort((a, b) => (a.store.id < b.store.id ? -1 : 1));
}

/** The newest event instant of each stream's partition among the events (for the data's age). */
function newestProgress(staged: readonly Staged[]) {
  const newest = new Map<string, { stream: string; partition: number; at: string }>();
  for (const { event } of staged) {
    const p = { stream: streamOf(event.type), partition: partitionOf(event.subject), at: event.occurredAt };
    const key = `${p.stream}/${p.partition}`;
    const current = newest.get(key);
    if (!current || Date.parse(current.at) < Date.parse(p.at)) newest.set(key, p);
  }
  return [...newest.values()];
}
