import type { Queryable } from "@comptoir/platform";
import type { Location, LocationKind } from "../model/location";

/** What one variant has at one location, with the location (for the caller's scope and priority). */
export interface AvailabilityRow {
  variantId: string;
  /** Whether inventory knows the variant (from catalog's events). */
  known: boolean;
  location: Pick<Location, "id" | "code" | "kind" | "storeId">;
  /** on hand − reserved; 0 where no level exists yet. */
  available: number;
}

interface Row {
  variant_id: string;
  known: boolean;
  location_id: string;
  code: string;
  kind: LocationKind;
  store_id: string | null;
  available: number;
}

/**
 * One query: every asked variant at every location (or at `locationId` only), known or not.
 * No row for a variant means there is no such location.
 */
export async function availabilityAt(
  db: Queryable,
  variantIds: readonly string[],
  locationId?: string,
): Promise<AvailabilityRow[]> {
  const { rows } = await db.query<Row>(
    `SELECT w.id AS variant_id, v.id IS NOT NULL AS known,
            loc.id AS location_id, loc.code, loc.kind, loc.store_id,
            coalesce(s.on_hand - s.reserved, 0)::int AS available
       FROM unnest($1::uuid[]) AS w (id)
       CROSS JOIN locations loc
       LEFT JOIN known_variants v ON v.id = w.id
       LEFT JOIN stock_levels s ON s.variant_id = w.id AND s.location_id = loc.id
      WHERE $2::uuid IS NULL OR loc.id = $2`,
    [variantIds, locationId ?? null],
  );
  return rows.map((r) => ({
    variantId: r.variant_id,
    known: r.known,
    location: { id: r.location_id, code: r.code, kind: r.kind, storeId: r.store_id },
    available: r.available,
  }));
}

/** One variant at one store location: what is left to reserve and the level's low-stock threshold. */
export interface StoreLevelRow {
  variantId: string;
  known: boolean;
  location: { id: string; name: string; storeId: string | null };
  available: number;
  lowStockThreshold: number | null;
}

/** Every asked variant at every store location (kind `store`), by location name. */
export async function storeLevels(db: Queryable, variantIds: readonly string[]): Promise<StoreLevelRow[]> {
  const { rows } = await db.query<{
    variant_id: string;
    known: boolean;
    location_id: string;
    name: string;
    store_id: string | null;
    available: number;
    low_stock_threshold: number | null;
  }>(
    `SELECT w.id AS variant_id, v.id IS NOT NULL AS known,
            loc.id AS location_id, loc.name, loc.store_id,
            coalesce(s.on_hand - s.reserved, 0)::int AS available, s.low_stock_threshold
       FROM locations loc
       CROSS JOIN unnest($1::uuid[]) WITH ORDINALITY AS w (id, n)
       LEFT JOIN known_variants v ON v.id = w.id
       LEFT JOIN stock_levels s ON s.variant_id = w.id AND s.location_id = loc.id
      WHERE loc.kind = 'store'
      ORDER BY loc.name, loc.code, w.n`,
    [variantIds],
  );
  return rows.map((r) => ({
    variantId: r.variant_id,
    known: r.known,
    location: { id: r.location_id, name: r.name, storeId: r.store_id },
    available: r.available,
    lowStockThreshold: r.low_stock_threshold,
  }));
}
