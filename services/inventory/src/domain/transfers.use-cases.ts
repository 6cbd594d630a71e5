import { ConflictError, InvalidError, NotFoundError, newId, withTx } from "@comptoir/platform";
import * as reservationsRepo from "../db/reservations.repo";
import * as stock from "../db/stock.repo";
import * as repo from "../db/transfers.repo";
import type { Transfer } from "../db/transfers.repo";
import { mergeItems, type RequestedItem } from "./allocation";
import {
  type Actor,
  type InventoryDeps,
  recordMovement,
  requireLocation,
  requireVariants,
  ShortOfStock,
  translateShort,
} from "./ledger";
import type { Movement } from "./movements";
import { insufficientStock } from "./reservations.use-cases";

export interface TransferInput {
  /** The caller's id (e.g. the supply request): the idempotency key. */
  reference: string;
  fromLocationId: string;
  toLocationId: string;
  items: RequestedItem[];
  /** A reservation at `from` holding exactly these items: the transfer consumes it. */
  reservationId?: string;
}

export interface TransferView extends Transfer {
  movements: Movement[];
}

const notFound = (id: string) => new NotFoundError("transfer_not_found", `No transfer with id ${id}.`);

async function view(db: InventoryDeps["db"] | Parameters<typeof repo.findTransfer>[0], t: Transfer) {
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
  if (input.fromLocationId === input.toLocationId) {
    throw new InvalidError("transfer_same_location", "A transfer needs two different locations.", {
      errors: [{ in: "body", field: "toLocationId", message: "must differ from fromLocationId" }],
    });
  }
  const items = mergeItems(input.items);
  return withTx(deps.db, async (tx) => {
    // Checked before the insert, which is where a concurrent request with the same reference waits.
    const from = await requireLocation(tx, actor, input.fromLocationId);
    const to = await requireLocation(tx, actor, input.toLocationId);
    if (input.reservationId && !(await reservationsRepo.findReservation(tx, input.reservationId))) {
      throw new NotFoundError("reservation_not_found", `No reservation with id ${input.reservationId}.`);
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

    let reservation: reservationsRepo.Reservation | undefined;
    if (input.reservationId) {
      reservation = (await reservationsRepo.lockReservation(tx, input.reservationId))!;
      if (reservation.status !== "active") {
        throw new ConflictError("reservation_not_active", `Reservation ${reservation.id} is ${reservation.status}.`, {
          extensions: { reservationStatus: reservation.status },
        });
      }
      const held = mergeItems(reservation.lines);
      const matches =
        reservation.lines.every((l) => l.locationId === from.id) &&
        held.length === items.length &&
        items.every((i) => held.find((h) => h.variantId === i.variantId)?.quantity === i.quantity);
      if (!matches) {
        throw new ConflictError(
          "transfer_reservation_mismatch",
          "The reservation does not hold exactly these items at the source location.",
        );
      }
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
    if (reservation) await reservationsRepo.settleReservation(tx, reservation, "committed");
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
    if (!t) throw notFound(id);
    const from = await requireLocation(tx, actor, t.fromLocationId);
    const to = await requireLocation(tx, actor, t.toLocationId);
    if (t.status === "reversed") return view(tx, t);
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
  if (!t) throw notFound(id);
  await requireLocation(deps.db, actor, t.fromLocationId);
  return view(deps.db, t);
}
