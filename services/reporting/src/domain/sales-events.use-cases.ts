import type { EventEnvelope } from "@comptoir/contracts";
import type { BatchScope } from "@comptoir/events";
import type { Queryable } from "@comptoir/platform";
import * as documents from "../db/documents.repo";
import * as rollups from "../db/rollups.repo";
import * as stores from "../db/stores.repo";
import * as model from "../model/contribution";
import { recordApplied, resetProgress } from "./progress.use-cases";
import { stageDocument } from "./sales-booking.use-cases";

/**
 * Applies orders' and retail's events to the sales rollups, in the handler's transaction (the bus
 * runs each once in effect), under the sales model's write lock (rollups.lockSalesModel: batches of
 * different partitions would otherwise deadlock on the rows they share). Each row is added to
 * atomically (never read and written back). New paid orders and till sales, the bulk of ingestion,
 * are booked together at the end of their batch (sales-booking.use-cases.ts).
 */

type RetailStoreEvent = EventEnvelope<
  "retail.sale.completed" | "retail.sale.returned" | "retail.sale.voided" | "retail.register.closed"
>;

/** Keeps the store's code, name and time zone as the newest retail event tells them. */
function rememberStore(tx: Queryable, event: RetailStoreEvent): Promise<void> {
  return stores.upsertStore(tx, event.data.store, { at: event.occurredAt, eventId: event.id });
}

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
  stageDocument(batch, { event, doc: { id: event.data.orderId, kind: "order", contribution: sale } });
}

/** Each refund adds what it gave back to the refund's day. */
export async function applyOrderRefunded(
  tx: Queryable,
  event: EventEnvelope<"orders.order.refunded">,
  onlineTimeZone: string,
): Promise<void> {
  await rollups.lockSalesModel(tx);
  await rollups.addContribution(tx, model.onlineRefund(event.data, event.occurredAt, onlineTimeZone));
  await recordApplied(tx, event);
}

/**
 * A till sale, unless it was voided before it arrived (then only its voids count), booked with the
 * other sales of the event's batch as applyOrderPaid's.
 */
export function applySaleCompleted(batch: BatchScope, event: EventEnvelope<"retail.sale.completed">): void {
  stageDocument(batch, {
    event,
    doc: { id: event.data.saleId, kind: "sale", contribution: model.storeSale(event.data) },
    store: event.data.store,
  });
}

/** A return: what was given back and the units back in store, on the return's day. */
export async function applySaleReturned(tx: Queryable, event: EventEnvelope<"retail.sale.returned">) {
  await rollups.lockSalesModel(tx);
  await rememberStore(tx, event);
  await rollups.addContribution(tx, model.storeReturn(event.data));
  await recordApplied(tx, event);
}

/**
 * A void takes the sale back out on the sale's day (what it added, exactly) and counts it among the
 * voids; before its sale, it leaves a tombstone the sale will find.
 */
export async function applySaleVoided(tx: Queryable, event: EventEnvelope<"retail.sale.voided">) {
  await rollups.lockSalesModel(tx);
  const voided = await documents.voidDocument(tx, event.data.saleId);
  await rememberStore(tx, event);
  if (voided.state === "voided") await rollups.addContribution(tx, model.voidOf(voided.contribution));
  await recordApplied(tx, event);
}

/** A register's closing: its cash variance on the closing's day. */
export async function applyRegisterClosed(tx: Queryable, event: EventEnvelope<"retail.register.closed">) {
  await rollups.lockSalesModel(tx);
  await rememberStore(tx, event);
  await rollups.addContribution(tx, model.registerClosing(event.data));
  await recordApplied(tx, event);
}

/** Empties the sales model (rollups, documents, stores, progress) before a replay rebuilds it. */
export async function resetSales(tx: Queryable): Promise<void> {
  await rollups.clearRollups(tx);
  await stores.clearStores(tx);
  await resetProgress(tx);
}
