import type { EventEnvelope } from "@comptoir/contracts";
import type { BatchScope } from "@comptoir/events";
import type { Queryable } from "@comptoir/platform";
import * as documents from "../db/documents.repo";
import * as rollups from "../db/rollups.repo";
import * as stores from "../db/stores.repo";
import * as model from "../model/contribution";
import { recordApplied, resetProgress } from "./progress.use-cases";
import { stage } from "./sales-booking.use-cases";

/**
 * Applies orders' and retail's events to the sales rollups, in the handler's transaction (the bus
 * runs each once in effect), under the sales model's write lock (rollups.lockSalesModel: batches of
 * different partitions would otherwise deadlock on the rows they share). Each row is added to
 * atomically (never read and written back). Every event but a void, the bulk of ingestion, is booked
 * with the others of its batch at the batch's end (sales-booking.use-cases.ts).
 */

/**
 * A paid order is an online sale (booked once, even if announced twice), booked with the other sales
 * of the event's batch (sales-booking.use-cases.ts; it also guards against an event applied twice).
 */
export function applyOrderPaid(
  batch: BatchScope,
  event: EventEnvelope<"orders.order.paid">,
  onlineTimeZone: string,
): void {
  const sale = model.onlineSale(event.data, event.occurredAt, onlineTimeZone);
  stage(batch, { event, doc: { id: event.data.orderId, kind: "order", contribution: sale } });
}

/** Each refund adds what it gave back to the refund's day (booked with its batch's sales). */
export function applyOrderRefunded(
  batch: BatchScope,
  event: EventEnvelope<"orders.order.refunded">,
  onlineTimeZone: string,
): void {
  stage(batch, { event, addition: model.onlineRefund(event.data, event.occurredAt, onlineTimeZone) });
}

/**
 * A till sale, unless it was voided before it arrived (then only its voids count), booked with the
 * other sales of the event's batch as applyOrderPaid's.
 */
export function applySaleCompleted(batch: BatchScope, event: EventEnvelope<"retail.sale.completed">): void {
  stage(batch, {
    event,
    doc: { id: event.data.saleId, kind: "sale", contribution: model.storeSale(event.data) },
    store: event.data.store,
  });
}

/** A return: what was given back and the units back in store, on the return's day (booked with its batch's sales). */
export function applySaleReturned(batch: BatchScope, event: EventEnvelope<"retail.sale.returned">): void {
  stage(batch, { event, addition: model.storeReturn(event.data), store: event.data.store });
}

/**
 * A void takes the sale back out on the sale's day (what it added, exactly) and counts it among the
 * voids; before its sale, it leaves a tombstone the sale will find.
 */
export async function applySaleVoided(tx: Queryable, event: EventEnvelope<"retail.sale.voided">) {
  await rollups.lockSalesModel(tx);
  const voided = await documents.voidDocument(tx, event.data.saleId);
  // The store's code, name and time zone as the newest retail event tells them.
  await stores.upsertStore(tx, event.data.store, { at: event.occurredAt, eventId: event.id });
  if (voided.state === "voided") await rollups.addContribution(tx, model.voidOf(voided.contribution));
  await recordApplied(tx, event);
}

/** A register's closing: its cash variance on the closing's day (booked with its batch's sales). */
export function applyRegisterClosed(batch: BatchScope, event: EventEnvelope<"retail.register.closed">): void {
  stage(batch, { event, addition: model.registerClosing(event.data), store: event.data.store });
}

/** Empties the sales model (rollups, documents, stores, progress) before a replay rebuilds it. */
export async function resetSales(tx: Queryable): Promise<void> {
  await rollups.clearRollups(tx);
  await stores.clearStores(tx);
  await resetProgress(tx);
}
