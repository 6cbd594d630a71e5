import type { Outbox } from "@comptoir/events";
import { type Db, newId, type Queryable, type Tx } from "@comptoir/platform";
import * as locationsRepo from "../db/locations.repo";
import * as reservationsRepo from "../db/reservations.repo";
import * as stock from "../db/stock.repo";
import * as variantsRepo from "../db/variants.repo";
import { type Actor, assertCanAccess } from "../model/actor";
import { noteAlertRaised, noteAvailable } from "../metrics/inventory.metrics";
import { eventKindOf, type Location, locationNotFound } from "../model/location";
import {
  alertTransition,
  emptyLevel,
  type Level,
  type Movement,
  type MovementType,
  ShortOfStock,
  shortOf,
} from "../model/stock";
import { type KnownVariant, variantNotFound } from "../model/variant";

/**
 * The one way stock changes: a movement appended to the ledger and the level moved by the same
 * amount, in the caller's transaction, with its events (stock changed, alert raised/resolved)
 * written to the outbox in that transaction too. Every use case goes through here.
 */

export interface InventoryDeps {
  db: Db;
  /** Every change publishes its events in the change's own transaction. */
  outbox: Outbox;
}

export async function requireVariant(db: Queryable, id: string): Promise<KnownVariant> {
  const variant = await variantsRepo.findVariant(db, id);
  if (!variant) throw variantNotFound(id);
  return variant;
}

/** The location, if it exists (404) and the actor may use it (403 location_forbidden). */
export async function requireLocation(db: Queryable, actor: Actor, id: string): Promise<Location> {
  return usableLocation(actor, id, await locationsRepo.findLocation(db, id));
}

/** `requireLocation` on a location already read (undefined: there is none with that id). */
export function usableLocation(actor: Actor, id: string, location: Location | undefined): Location {
  if (!location) throw locationNotFound(id);
  assertCanAccess(actor, location);
  return location;
}

/** The variants, all known (404 naming the first unknown one otherwise). */
export async function requireVariants(db: Queryable, ids: readonly string[]): Promise<Map<string, KnownVariant>> {
  return allKnown(ids, await variantsRepo.findVariants(db, ids));
}

/** `requireVariants` on the variants already read for these ids. */
export function allKnown(ids: readonly string[], variants: Map<string, KnownVariant>): Map<string, KnownVariant> {
  const unknown = ids.find((id) => !variants.has(id));
  if (unknown) throw variantNotFound(unknown);
  return variants;
}

export interface Where {
  variant: KnownVariant;
  location: Location;
}

export interface MovementInput {
  type: MovementType;
  /** Signed change of on hand (never 0). */
  quantity: number;
  /** Signed change of reserved that goes with it (a reservation commit or a transfer consuming one). */
  reservedDelta?: number;
  reason: string | null;
  actorId: string | null;
  reference: string | null;
  reservationId?: string | null;
  transferId?: string | null;
  /** The movement also records `reservationId`'s line of `-quantity` here (a reservation committed as it is made). */
  recordsLine?: boolean;
}

export async function recordMovement(
  tx: Tx,
  outbox: Outbox,
  where: Where,
  input: MovementInput,
): Promise<{ movement: Movement; level: Level }> {
  const key = { variantId: where.variant.id, locationId: where.location.id };
  if (input.quantity > 0) await stock.ensureLevels(tx, [key]);
  // The level moves and the movement is appended in one statement; from there the level row is
  // locked, and only what needs the level after the move (the event, the alert) follows.
  const moved = await stock.moveLevelAndAppend(
    tx,
    {
      id: newId(),
      ...key,
      type: input.type,
      quantity: input.quantity,
      reason: input.reason,
      actorId: input.actorId,
      reference: input.reference || null,
      reservationId: input.reservationId ?? null,
      transferId: input.transferId ?? null,
    },
    input.reservedDelta ?? 0,
    { recordLine: input.recordsLine ?? false },
  );
  if (!moved) {
    // The UPDATE refused the move (the stock rules of model/stock.ts): say what is available now.
    const current = (await stock.findLevel(tx, key)) ?? emptyLevel(key);
    throw shortOf(current, input.quantity, input.reservedDelta ?? 0);
  }
  const { movement, level } = moved;
  await outbox.publish(tx, {
    type: "inventory.stock.changed",
    subject: key.variantId,
    data: {
      movementId: movement.id,
      ...placeOf(where),
      onHand: level.onHand,
      reserved: level.reserved,
      available: level.available,
      delta: movement.quantity,
      movementType: movement.type,
      reason: movement.reason,
      reference: movement.reference,
      actorId: movement.actorId,
      lowStockThreshold: level.lowStockThreshold,
    },
  });
  noteAvailable(tx, where.location, level.available - input.quantity + (input.reservedDelta ?? 0), level.available);
  await evaluateAlert(tx, outbox, where, level);
  return { movement, level };
}

/** Moves reserved only (a reservation made, released or expired): no ledger entry, on hand is unchanged. */
export async function changeReserved(tx: Tx, outbox: Outbox, where: Where, delta: number): Promise<Level> {
  const key = { variantId: where.variant.id, locationId: where.location.id };
  const level = await stock.moveLevel(tx, key, 0, delta);
  if (!level) throw shortOf((await stock.findLevel(tx, key)) ?? emptyLevel(key), 0, delta);
  noteAvailable(tx, where.location, level.available + delta, level.available);
  await evaluateAlert(tx, outbox, where, level);
  return level;
}

/**
 * A reservation's line: `quantity` more reserved at its level, only if that much is available, and
 * the line recorded, in one round trip; then its alert. The level row stays locked from there until
 * the transaction ends. Undefined, nothing held, when the level has no longer that much available
 * (the caller decides: read again under lock, or answer short).
 */
export async function holdReserved(
  tx: Tx,
  outbox: Outbox,
  where: Where,
  reservationId: string,
  quantity: number,
): Promise<Level | undefined> {
  const level = await reservationsRepo.holdLine(tx, reservationId, {
    variantId: where.variant.id,
    locationId: where.location.id,
    quantity,
  });
  if (level) {
    noteAvailable(tx, where.location, level.available + quantity, level.available);
    await evaluateAlert(tx, outbox, where, level);
  }
  return level;
}

const placeOf = (where: Where) => ({
  variantId: where.variant.id,
  locationId: where.location.id,
  locationKind: eventKindOf(where.location.kind),
  storeId: where.location.storeId,
});

/**
 * Opens an alert when available is at or under the threshold, resolves the open one when it is back
 * above (or the threshold removed). The level row is locked by the caller, so this runs once at a time
 * per (variant, location); the partial unique index keeps one open alert at most anyway.
 */
export async function evaluateAlert(tx: Tx, outbox: Outbox, where: Where, level: Level, force = false): Promise<void> {
  if (level.lowStockThreshold === null && !force) return;
  const key = { variantId: level.variantId, locationId: level.locationId };
  const open = await stock.findOpenAlert(tx, key);
  const transition = alertTransition(level.lowStockThreshold, level.available, open !== undefined);
  const alertData = (alertId: string, threshold: number) => ({
    alertId,
    ...placeOf(where),
    sku: where.variant.sku,
    productName: where.variant.name,
    threshold,
    available: level.available,
  });
  if (transition === "raise") {
    const alert = await stock.insertAlert(tx, {
      id: newId(),
      ...key,
      threshold: level.lowStockThreshold!,
      available: level.available,
    });
    noteAlertRaised(tx, where.location);
    await outbox.publish(tx, {
      type: "inventory.alert.raised",
      subject: key.variantId,
      data: alertData(alert.id, alert.threshold),
    });
  } else if (transition === "resolve" && open) {
    await stock.resolveAlert(tx, open.id);
    await outbox.publish(tx, {
      type: "inventory.alert.resolved",
      subject: key.variantId,
      data: alertData(open.id, level.lowStockThreshold ?? open.threshold),
    });
  }
}

/** Turns a ShortOfStock into the caller's error; rethrows anything else. */
export function translateShort(error: unknown, toError: (short: ShortOfStock) => Error): never {
  if (error instanceof ShortOfStock) throw toError(error);
  throw error;
}
