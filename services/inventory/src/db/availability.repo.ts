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
