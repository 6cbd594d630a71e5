import { inventoryHttp } from "@comptoir/contracts/http";
import { ConflictError, NotFoundError, type Static } from "@comptoir/platform";
import { type AllocatedLine, mergeItems, type RequestedItem } from "./allocation";

export const ReservationStatus = inventoryHttp.ReservationStatus;
export type ReservationStatus = Static<typeof ReservationStatus>;

/** Stock held for a caller's reference (inventory's HTTP contract), line by line and location by location. */
export const Reservation = inventoryHttp.Reservation;
export type Reservation = Static<typeof Reservation>;

/** How long a reservation holds its stock when the caller does not say. */
export const DEFAULT_TTL_SECONDS = 900;

/**
 * A reservation's life: `active` (its stock held) until it is committed (sold, or consumed by a
 * transfer), released by its caller or expired by the sweep; all three are final. The SQL that
 * settles one locks it first, so a reservation is settled once.
 */
export const STATUS_MOVES: Readonly<Record<ReservationStatus, readonly ReservationStatus[]>> = {
  active: ["committed", "released", "expired"],
  committed: [],
  released: [],
  expired: [],
};

export function canMove(from: ReservationStatus, to: ReservationStatus): boolean {
  return STATUS_MOVES[from].includes(to);
}

export const reservationNotFound = (id: string) =>
  new NotFoundError("reservation_not_found", `No reservation with id ${id}.`);

export const reservationNotActive = (r: Pick<Reservation, "id" | "status">) =>
  new ConflictError("reservation_not_active", `Reservation ${r.id} is ${r.status}; it can no longer change.`, {
    extensions: { reservationStatus: r.status },
  });

/** The guarded move: `to` when the reservation may go there, 409 reservation_not_active otherwise. */
export function moveStatus<S extends ReservationStatus>(r: Pick<Reservation, "id" | "status">, to: S): S {
  if (!canMove(r.status, to)) throw reservationNotActive(r);
  return to;
}

/** Committing again answers the reservation as it is (`already`); after a release or an expiry it is a 409. */
export function planCommit(r: Pick<Reservation, "id" | "status">): { already: boolean } {
  if (r.status === "committed") return { already: true };
  moveStatus(r, "committed");
  return { already: false };
}

/** Releasing again, or releasing an expired reservation, answers it as it is; a committed one is a 409. */
export function planRelease(r: Pick<Reservation, "id" | "status">): { already: boolean } {
  if (r.status === "released" || r.status === "expired") return { already: true };
  moveStatus(r, "released");
  return { already: false };
}

/** Whether a reservation holds these items (merged by variant), whatever their locations. */
export function holdsSameItems(r: Pick<Reservation, "lines">, items: readonly RequestedItem[]): boolean {
  const reserved = mergeItems(r.lines);
  const wanted = mergeItems(items);
  if (reserved.length !== wanted.length) return false;
  const byVariant = new Map(reserved.map((i) => [i.variantId, i.quantity]));
  return wanted.every((i) => byVariant.get(i.variantId) === i.quantity);
}

/** Whether a reservation holds exactly these items, all at `locationId` (what a transfer may consume). */
export function holdsExactlyAt(
  r: Pick<Reservation, "lines">,
  locationId: string,
  items: readonly RequestedItem[],
): boolean {
  return r.lines.every((l) => l.locationId === locationId) && holdsSameItems(r, items);
}

/** Lines in (variant, location) order: the order levels are locked in, and the order the database lists them. */
export const sortLines = <L extends Pick<AllocatedLine, "variantId" | "locationId">>(lines: readonly L[]): L[] =>
  [...lines].sort((a, b) => compare(a.variantId, b.variantId) || compare(a.locationId, b.locationId));

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
