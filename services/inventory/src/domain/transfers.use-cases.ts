import type { inventoryHttp } from "@comptoir/contracts/http";
import { newId, type Static, withTx } from "@comptoir/platform";
import * as reservationsRepo from "../db/reservations.repo";
import * as stock from "../db/stock.repo";
import * as repo from "../db/transfers.repo";
import type { Actor } from "../model/actor";
import { insufficientStock, mergeItems } from "../model/allocation";
import { holdsExactlyAt, moveStatus, type Reservation, reservationNotFound } from "../model/reservation";
import { ShortOfStock } from "../model/stock";
import {
  assertTwoLocations,
  planReverse,
  reservationMismatch,
  type Transfer,
  type TransferView,
  transferNotFound,
} from "../model/transfer";
import { type InventoryDeps, recordMovement, requireLocation, requireVariants, translateShort } from "./ledger";

/**
 * A transfer (the endpoint's body): `reference` is the caller's id (e.g. the supply request), the
 * idempotency key; `reservationId`, a reservation at `from` holding exactly these items, which the
 * transfer consumes.
 */
export type TransferInput = Static<typeof inventoryHttp.transfer.body>;

export type { TransferView };

async function view(db: Parameters<typeof repo.findTransfer>[0], t: Transfer): Promise<TransferView> {
  return { ...t, movements: await stock.movementsOfTransfer(db, t.id) };
}

/**
 * Moves stock between two locations in one transaction: a transfer_out at `from` (consuming the
 * reservation when one is given) and a transfer_in at `to`. The same reference returns the same
 * transfer (`created: false`).
 */
export async function transferStock(
  deps: InventoryDeps,
  actor: Actor,
  input: TransferInput,
): Promise<{ transfer: TransferView; created: boolean }> {
  assertTwoLocations(input.fromLocationId, input.toLocationId);
  const items = mergeItems(input.items);
  return withTx(deps.db, async (tx) => {
    // Checked before the insert, which is where a concurrent request with the same reference waits.
    const from = await requireLocation(tx, actor, input.fromLocationId);
    const to = await requireLocation(tx, actor, input.toLocationId);
    if (input.reservationId && !(await reservationsRepo.findReservation(tx, input.reservationId))) {
      throw reservationNotFound(input.reservationId);
    }
    const id = newId();
    const inserted = await repo.insertTransfer(tx, {
      id,
      reference: input.reference,
      fromLocationId: from.id,
      toLocationId: to.id,
      reservationId: input.reservationId ?? null,
      actorId: actor.userId,
    });
    if (!inserted) {
      const existing = (await repo.findTransferByReference(tx, input.reference))!;
      return { transfer: await view(tx, existing), created: false };
    }
    const variants = await requireVariants(
      tx,
      items.map((i) => i.variantId),
    );

    let reservation: Reservation | undefined;
    if (input.reservationId) {
      reservation = (await reservationsRepo.lockReservation(tx, input.reservationId))!;
      // The transfer consumes it: only an active one, holding exactly these items at the source.
      moveStatus(reservation, "committed");
      if (!holdsExactlyAt(reservation, from.id, items)) throw reservationMismatch();
    }

    await stock.ensureLevels(
      tx,
      items.map((i) => ({ variantId: i.variantId, locationId: to.id })),
    );
    await stock.lockLevels(tx, [...variants.keys()], [from.id, to.id]);
    const common = { reason: "transfer", actorId: actor.userId, reference: input.reference, transferId: id };
    const short: { variantId: string; requested: number; available: number }[] = [];
    for (const item of [...items].sort((a, b) => (a.variantId < b.variantId ? -1 : 1))) {
      const variant = variants.get(item.variantId)!;
      try {
        await recordMovement(
          tx,
          deps.outbox,
          { variant, location: from },
          {
            ...common,
            type: "transfer_out",
            quantity: -item.quantity,
            reservedDelta: reservation ? -item.quantity : 0,
            reservationId: reservation?.id ?? null,
          },
        );
      } catch (error) {
        if (!(error instanceof ShortOfStock)) throw error;
        short.push({ variantId: item.variantId, requested: item.quantity, available: error.available });
        continue;
      }
      await recordMovement(
        tx,
        deps.outbox,
        { variant, location: to },
        { ...common, type: "transfer_in", quantity: item.quantity },
      );
    }
    if (short.length > 0) throw insufficientStock(short);
    if (reservation) await reservationsRepo.settleReservation(tx, reservation, moveStatus(reservation, "committed"));
    await repo.insertTransferLines(tx, id, items);
    return { transfer: await view(tx, (await repo.findTransfer(tx, id))!), created: true };
  });
}

/**
 * Compensates a transfer (the supply saga's undo): a transfer_out at `to` and a transfer_in at `from`
 * for each item. Reversing again returns the same. 409 insufficient_stock when `to` no longer has it.
 */
export async function reverseTransfer(deps: InventoryDeps, actor: Actor, id: string): Promise<TransferView> {
  return withTx(deps.db, async (tx) => {
    const t = await repo.lockTransfer(tx, id);
    if (!t) throw transferNotFound(id);
    const from = await requireLocation(tx, actor, t.fromLocationId);
    const to = await requireLocation(tx, actor, t.toLocationId);
    if (planReverse(t).already) return view(tx, t);
    const variants = await requireVariants(
      tx,
      t.items.map((i) => i.variantId),
    );
    await stock.lockLevels(tx, [...variants.keys()], [from.id, to.id]);
    const common = {
      reason: "transfer reversed",
      actorId: actor.userId,
      reference: t.reference,
      transferId: t.id,
    };
    try {
      for (const item of t.items) {
        const variant = variants.get(item.variantId)!;
        await recordMovement(
          tx,
          deps.outbox,
          { variant, location: to },
          { ...common, type: "transfer_out", quantity: -item.quantity },
        );
        await recordMovement(
          tx,
          deps.outbox,
          { variant, location: from },
          { ...common, type: "transfer_in", quantity: item.quantity },
        );
      }
    } catch (error) {
      translateShort(error, (s) =>
        insufficientStock([{ variantId: s.variantId, requested: s.requested, available: s.available }]),
      );
    }
    await repo.markReversed(tx, t.id);
    return view(tx, (await repo.findTransfer(tx, t.id))!);
  });
}

export async function getTransfer(deps: InventoryDeps, actor: Actor, id: string): Promise<TransferView> {
  const t = await repo.findTransfer(deps.db, id);
  if (!t) throw transferNotFound(id);
  await requireLocation(deps.db, actor, t.fromLocationId);
  return view(deps.db, t);
}
