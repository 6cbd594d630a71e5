import type { inventoryHttp } from "@comptoir/contracts/http";
import { ConflictError, type Logger, newId, type Static, startPeriodic, type Tx, withTx } from "@comptoir/platform";
import * as repo from "../db/reservations.repo";
import type { ReservationWithPlaces } from "../db/reservations.repo";
import * as stock from "../db/stock.repo";
import { type Actor, canAccess, locationForbidden } from "../model/actor";
import { type AllocationStrategy, allocate, insufficientStock, mergeItems } from "../model/allocation";
import { byPriority, DEFAULT_ALLOCATION_PRIORITY, type Location } from "../model/location";
import {
  DEFAULT_TTL_SECONDS,
  holdsSameItems,
  moveStatus,
  planCommit,
  planRelease,
  type Reservation,
  reservationNotFound,
  sortLines,
} from "../model/reservation";
import { ShortOfStock } from "../model/stock";
import {
  allKnown,
  changeReserved,
  holdReserved,
  type InventoryDeps,
  recordMovement,
  usableLocation,
  type Where,
} from "./ledger";

export type { Reservation };

export interface ReservationsDeps extends InventoryDeps {
  /** Kinds or location codes, in the order locations serve a reservation made without a location. */
  allocationPriority?: readonly string[];
}

/**
 * What a caller reserves (the endpoint's body): `reference` is its id for what it reserves for (an
 * order, a checkout, a supply request), the idempotency key; `locationId` reserves at that location
 * only (click-and-collect, a store sale, a supply request's source).
 */
export type ReserveInput = Static<typeof inventoryHttp.reserve.body>;

/**
 * Reserves every item or nothing (409 insufficient_stock with the short items). The same reference
 * gives back the same reservation (`created: false`), whatever its state now.
 *
 * A best-selling variant's level is wanted by every checkout, so its row is locked as late and as
 * briefly as possible: the levels are read without a lock to allocate, and each line then holds its
 * quantity with an UPDATE that re-checks what is available under the row lock (no oversell), the
 * lock lasting from there to the commit. When a line finds its stock gone meanwhile, everything is
 * rolled back and the reservation made again the careful way: levels locked, then allocated.
 */
export async function reserve(
  deps: ReservationsDeps,
  actor: Actor,
  input: ReserveInput,
): Promise<{ reservation: Reservation; created: boolean }> {
  const items = mergeItems(input.items);
  const strategy: AllocationStrategy = input.locationId ? "single" : (input.strategy ?? "split");
  const attempt = (lockLevels: boolean) =>
    withTx(deps.db, (tx) => reserveIn(tx, deps, actor, { ...input, items, strategy }, lockLevels));
  try {
    return await attempt(false);
  } catch (error) {
    if (!(error instanceof StockTaken)) throw error;
    return attempt(true);
  }
}

/** A line could not hold what the levels read without a lock showed available: the stock moved in between. */
class StockTaken extends Error {
  override name = "StockTaken";
}

async function reserveIn(
  tx: Tx,
  deps: ReservationsDeps,
  actor: Actor,
  input: ReserveInput & { strategy: AllocationStrategy },
  lockLevels: boolean,
): Promise<{ reservation: Reservation; created: boolean }> {
  const { items, strategy } = input;
  const id = newId();
  // Then: a concurrent request with the same reference waits here until this one ends. The same
  // round trip reads the variants, the locations and the levels (unlocked) the allocation needs.
  const read = await repo.insertReservationAndReadStock(
    tx,
    {
      id,
      reference: input.reference,
      strategy,
      locationId: input.locationId ?? null,
      actorId: actor.userId,
      ttlSeconds: input.ttlSeconds ?? DEFAULT_TTL_SECONDS,
      status: input.commit ? "committed" : "active",
    },
    items.map((i) => i.variantId),
  );
  // The location is checked first, as if it had been read before the insert (throwing undoes it).
  const single = input.locationId
    ? usableLocation(
        actor,
        input.locationId,
        read.locations.find((l) => l.id === input.locationId),
      )
    : undefined;
  const created = read.created;
  if (!created) {
    const existing = (await repo.findReservationByReference(tx, input.reference))!;
    if (!holdsSameItems(existing, items)) {
      throw new ConflictError(
        "reservation_reference_conflict",
        `Reference "${input.reference}" already reserved other items (reservation ${existing.id}).`,
        { extensions: { reservationId: existing.id } },
      );
    }
    // Asked to commit what an earlier call under this reference only held: committed now, as a commit would.
    if (input.commit && existing.status === "active") {
      return { reservation: await commitIn(tx, deps, actor, existing.id), created: false };
    }
    return { reservation: existing, created: false };
  }

  const variants = allKnown(
    items.map((i) => i.variantId),
    read.variants,
  );
  let candidates: Location[];
  if (single) {
    candidates = [single];
  } else {
    const visible = read.locations.filter((l) => canAccess(actor.scope, l));
    candidates = byPriority(visible, deps.allocationPriority ?? DEFAULT_ALLOCATION_PRIORITY);
  }
  // The second time (the stock moved under the first), the levels are locked before allocating.
  const levels = lockLevels
    ? await stock.lockLevels(
        tx,
        [...variants.keys()],
        candidates.map((c) => c.id),
      )
    : read.levels;
  const allocation = allocate(
    items,
    candidates.map((c) => c.id),
    (v, l) => levels.get(stock.keyOf(v, l))?.available ?? 0,
    strategy,
  );
  // Short on the unlocked read is short: those levels were the committed stock at that moment.
  if (!allocation.ok) throw insufficientStock(allocation.short);

  const locations = new Map(candidates.map((c) => [c.id, c]));
  const lines = sortLines(allocation.lines);
  // One round trip per line, in (variant, location) order: the order levels are locked in.
  for (const line of lines) {
    const where = { variant: variants.get(line.variantId)!, location: locations.get(line.locationId)! };
    // (The second time the levels are locked and cannot have moved: StockTaken there is a bug, a 500.)
    const held = input.commit
      ? await takeCommitted(tx, deps, actor, where, created, line.quantity)
      : await holdReserved(tx, deps.outbox, where, id, line.quantity);
    if (!held) throw new StockTaken();
  }
  return { reservation: { ...created, lines }, created: true };
}

/**
 * A line of a reservation made committed (`commit: true`, a till sale: nothing to hold the stock for
 * in between): the goods leave the shelf at once, only if that much is available — on hand less every
 * active reservation, click-and-collect holds included — with the line, the `reservation_commit`
 * movement and its events a commit would have written. Undefined, nothing moved, when it is not.
 */
async function takeCommitted(
  tx: Tx,
  deps: ReservationsDeps,
  actor: Actor,
  where: Where,
  reservation: Reservation,
  quantity: number,
) {
  try {
    return await recordMovement(tx, deps.outbox, where, {
      type: "reservation_commit",
      quantity: -quantity,
      reason: "reservation committed",
      actorId: actor.userId,
      reference: reservation.reference,
      reservationId: reservation.id,
      recordsLine: true,
    });
  } catch (error) {
    if (error instanceof ShortOfStock) return undefined;
    throw error;
  }
}

export async function getReservation(deps: InventoryDeps, actor: Actor, id: string): Promise<Reservation> {
  const found = await repo.findReservationWithPlaces(deps.db, id);
  if (!found) throw reservationNotFound(id);
  assertLinesAccessible(actor, found);
  return found.reservation;
}

/** A reservation whose lines are at a location the actor may not touch is refused (clerks). */
function assertLinesAccessible(actor: Actor, { reservation, locations }: ReservationWithPlaces) {
  if (actor.scope.all) return;
  if (reservation.lines.some((line) => !canAccess(actor.scope, locations.get(line.locationId)!))) {
    throw locationForbidden();
  }
}

/** What the events of a reservation's line need: its variant and its location. */
const whereOf =
  ({ variants, locations }: ReservationWithPlaces) =>
  (line: { variantId: string; locationId: string }) => ({
    variant: variants.get(line.variantId)!,
    location: locations.get(line.locationId)!,
  });

/*
 * Settling (commit, release, expiry) locks the reservation first: settlements of one reservation
 * queue there. Its levels are then moved line by line in (variant, location) order, each UPDATE
 * taking its row lock (the lock order of every use case: no deadlock), after everything that does
 * not need them: their rows stay locked for the moves, the events that carry the new levels, and
 * the commit only.
 */

/**
 * Turns the reserved quantities into sales: on hand and reserved drop together, one
 * `reservation_commit` movement per line. Committing again returns the same; after a release or an
 * expiry it is 409 reservation_not_active. (A reservation past its expiry that the sweep has not
 * reached yet still commits: its stock is still held.)
 */
export async function commitReservation(deps: InventoryDeps, actor: Actor, id: string): Promise<Reservation> {
  return withTx(deps.db, (tx) => commitIn(tx, deps, actor, id));
}

async function commitIn(tx: Tx, deps: InventoryDeps, actor: Actor, id: string): Promise<Reservation> {
  const found = await repo.lockReservationWithPlaces(tx, id);
  if (!found) throw reservationNotFound(id);
  assertLinesAccessible(actor, found);
  const r = found.reservation;
  if (planCommit(r).already) return r;
  const committed = await repo.settleReservation(tx, r, "committed");
  for (const line of sortLines(r.lines)) {
    await recordMovement(tx, deps.outbox, whereOf(found)(line), {
      type: "reservation_commit",
      quantity: -line.quantity,
      reservedDelta: -line.quantity,
      reason: "reservation committed",
      actorId: actor.userId,
      reference: r.reference,
      reservationId: r.id,
    });
  }
  return committed;
}

/**
 * Frees the reserved quantities. Releasing again, or releasing an expired reservation, returns it as
 * it is; a committed one is 409 reservation_not_active.
 */
export async function releaseReservation(deps: InventoryDeps, actor: Actor, id: string): Promise<Reservation> {
  return withTx(deps.db, async (tx) => {
    const found = await repo.lockReservationWithPlaces(tx, id);
    if (!found) throw reservationNotFound(id);
    assertLinesAccessible(actor, found);
    const r = found.reservation;
    if (planRelease(r).already) return r;
    const released = await repo.settleReservation(tx, r, "released");
    await freeLines(tx, deps, found);
    return released;
  });
}

async function freeLines(tx: Tx, deps: InventoryDeps, found: ReservationWithPlaces) {
  for (const line of sortLines(found.reservation.lines)) {
    await changeReserved(tx, deps.outbox, whereOf(found)(line), -line.quantity);
  }
}

/**
 * Releases active reservations past their expiry, one transaction each (locks of one never wait on
 * another's), skipping those another instance or a commit holds; emits inventory.reservation.expired.
 * `asOf` replaces the clock (tests). Returns how many expired.
 */
export async function expireReservations(
  deps: InventoryDeps,
  options: { asOf?: Date; limit?: number } = {},
): Promise<number> {
  let expired = 0;
  const limit = options.limit ?? 500;
  while (expired < limit) {
    const done = await withTx(deps.db, async (tx) => {
      const found = await repo.lockNextExpired(tx, options.asOf ?? null);
      if (!found) return false;
      const r = found.reservation;
      await repo.settleReservation(tx, r, moveStatus(r, "expired"));
      await freeLines(tx, deps, found);
      await deps.outbox.publish(tx, {
        type: "inventory.reservation.expired",
        subject: r.id,
        data: { reservationId: r.id, reference: r.reference, lines: r.lines },
      });
      return true;
    });
    if (!done) break;
    expired++;
  }
  return expired;
}

/**
 * Every `intervalMs`, releases expired reservations. Runs in this instance until the returned stop
 * is called. (Idempotency-Keys are pruned by the platform's idempotencyPart.)
 */
export function startExpirySweep(deps: InventoryDeps, intervalMs: number, logger: Logger): () => Promise<void> {
  return startPeriodic(
    async () => {
      const n = await expireReservations(deps);
      if (n > 0) logger.info({ expired: n }, "expired reservations released");
    },
    intervalMs,
    { onError: (error) => logger.warn({ err: error }, "reservation expiry sweep failed") },
  );
}
