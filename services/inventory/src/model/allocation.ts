import { inventoryHttp } from "@comptoir/contracts/http";
import { ConflictError, type Static } from "@comptoir/platform";

/**
 * Which locations serve a reservation (pure: no SQL). Given the quantities asked per variant, the
 * candidate locations in priority order and what is available at each, it returns the lines to
 * reserve, or the short items when the whole request cannot be served (all-or-nothing).
 */

/** A quantity of a variant asked for. */
export const RequestedItem = inventoryHttp.Item;
export type RequestedItem = Static<typeof RequestedItem>;

/** Where a reserved quantity is held. */
export const AllocatedLine = inventoryHttp.AllocationLine;
export type AllocatedLine = Static<typeof AllocatedLine>;

export interface ShortItem {
  variantId: string;
  requested: number;
  /** What the candidate locations could give (summed over them for `split`, the best single one otherwise). */
  available: number;
}

/**
 * - `split`: each item is taken from the first location in priority order, then the next ones when it
 *   is short there (a line may be split over several locations).
 * - `single`: every item from one location, the first in priority order that can serve them all
 *   (click-and-collect when there is one candidate; one parcel otherwise).
 */
export type AllocationStrategy = Static<typeof inventoryHttp.Reservation>["strategy"];

export type Allocation = { ok: true; lines: AllocatedLine[] } | { ok: false; short: ShortItem[] };

export type Availability = (variantId: string, locationId: string) => number;

/** 409 insufficient_stock with the short items: nothing was reserved (or moved). */
export const insufficientStock = (short: ShortItem[]) =>
  new ConflictError("insufficient_stock", "Not enough stock for every item; nothing was reserved.", {
    extensions: { short },
  });

/** Sums the quantities of items that name the same variant, keeping the first appearance order. */
export function mergeItems(items: readonly RequestedItem[]): RequestedItem[] {
  const merged = new Map<string, number>();
  for (const item of items) merged.set(item.variantId, (merged.get(item.variantId) ?? 0) + item.quantity);
  return [...merged].map(([variantId, quantity]) => ({ variantId, quantity }));
}

export function allocate(
  items: readonly RequestedItem[],
  locationIds: readonly string[],
  available: Availability,
  strategy: AllocationStrategy,
): Allocation {
  const wanted = mergeItems(items);
  const free = (v: string, l: string) => Math.max(0, available(v, l));
  if (strategy === "single") {
    const location = locationIds.find((l) => wanted.every((item) => free(item.variantId, l) >= item.quantity));
    if (location !== undefined) {
      return { ok: true, lines: wanted.map((item) => ({ ...item, locationId: location })) };
    }
    const short = wanted
      .map((item) => ({
        variantId: item.variantId,
        requested: item.quantity,
        available: Math.max(0, ...locationIds.map((l) => free(item.variantId, l))),
      }))
      .filter((s) => s.available < s.requested);
    // Every item may be available somewhere, just not all at one place: report each with its best location.
    return { ok: false, short: short.length > 0 ? short : wanted.map((item) => shortOf(item, locationIds, free)) };
  }
  const lines: AllocatedLine[] = [];
  const short: ShortItem[] = [];
  for (const item of wanted) {
    let left = item.quantity;
    const taken: AllocatedLine[] = [];
    for (const locationId of locationIds) {
      if (left === 0) break;
      const take = Math.min(left, free(item.variantId, locationId));
      if (take > 0) {
        taken.push({ variantId: item.variantId, locationId, quantity: take });
        left -= take;
      }
    }
    if (left > 0) short.push({ variantId: item.variantId, requested: item.quantity, available: item.quantity - left });
    else lines.push(...taken);
  }
  return short.length > 0 ? { ok: false, short } : { ok: true, lines };
}

function shortOf(item: RequestedItem, locationIds: readonly string[], free: Availability): ShortItem {
  return {
    variantId: item.variantId,
    requested: item.quantity,
    available: Math.max(0, ...locationIds.map((l) => free(item.variantId, l))),
  };
}
