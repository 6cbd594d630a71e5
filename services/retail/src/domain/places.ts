import type { Queryable } from "@comptoir/platform";
import { findRegister, findStore } from "../db/stores.repo";
import type { Register, Store } from "../model/store";

/**
 * Registers and stores as a sale reads them (every sale needs its register's store: its location,
 * code, name for the receipt), kept in this process for a short while: they hardly ever change, and
 * reading them was two of a sale's queries. This instance's own writes forget what they change at
 * once; another instance's store edit shows here within `ttlMs`. What is not found is not kept (a
 * register just created elsewhere is found at once).
 */
export interface PlaceCache {
  register(id: string): Promise<Register | undefined>;
  store(id: string): Promise<Store | undefined>;
  /** After this instance changed the store (or one of its registers). */
  forgetStore(id: string): void;
}

export const PLACE_CACHE_TTL_MS = 5_000;

export function createPlaceCache(db: Queryable, ttlMs = PLACE_CACHE_TTL_MS, now = Date.now): PlaceCache {
  const registers = new Map<string, { at: number; value: Register }>();
  const stores = new Map<string, { at: number; value: Store }>();
  // Bounded: the oldest entries go first once there are this many (a chain has far fewer).
  const MAX = 10_000;
  async function cached<T>(map: Map<string, { at: number; value: T }>, id: string, read: () => Promise<T | undefined>) {
    const hit = map.get(id);
    if (hit && now() - hit.at < ttlMs) return hit.value;
    const at = now();
    const value = await read();
    map.delete(id);
    if (value === undefined) return undefined;
    if (map.size >= MAX) map.delete(map.keys().next().value!);
    map.set(id, { at, value });
    return value;
  }
  return {
    register: (id) => cached(registers, id, () => findRegister(db, id)),
    store: (id) => cached(stores, id, () => findStore(db, id)),
    forgetStore(id) {
      stores.delete(id);
      for (const [registerId, r] of registers) if (r.value.storeId === id) registers.delete(registerId);
    },
  };
}
