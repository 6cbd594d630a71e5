import type { Queryable } from "@comptoir/platform";
import type { AllocatedLine, AllocationStrategy } from "../model/allocation";
import type { Location } from "../model/location";
import type { Reservation, ReservationStatus } from "../model/reservation";
import type { Level } from "../model/stock";
import type { KnownVariant } from "../model/variant";
import { type LocationRow, toLocation } from "./locations.repo";
import { keyOf, LEVEL_COLUMNS, type LevelRow, MOVE_LEVEL, toLevel } from "./stock.repo";
import { toVariant, type VariantRow } from "./variants.repo";

interface ReservationRow {
  id: string;
  reference: string;
  status: ReservationStatus;
  strategy: AllocationStrategy;
  location_id: string | null;
  expires_at: Date;
  created_at: Date;
  settled_at: Date | null;
}

const toReservation = (row: ReservationRow, lines: AllocatedLine[]): Reservation => ({
  id: row.id,
  reference: row.reference,
  status: row.status,
  strategy: row.strategy,
  locationId: row.location_id,
  expiresAt: row.expires_at.toISOString(),
  createdAt: row.created_at.toISOString(),
  settledAt: row.settled_at?.toISOString() ?? null,
  lines,
});

/** What allocating a new reservation needs, read in the round trip that inserts it. */
export interface ReservationStock {
  /** The reservation inserted (without lines); undefined when its reference exists (a concurrent insert waits for the first). */
  created: Reservation | undefined;
  /** The variants asked for that are known. */
  variants: Map<string, KnownVariant>;
  /** Every location, by code. */
  locations: Location[];
  /** The levels of those variants (at `locationId` only, when given), read without a lock: by keyOf. */
  levels: Map<string, Level>;
}

/**
 * Inserts a reservation (without lines) unless its reference exists, and reads in the same round
 * trip what allocating it needs. Its location, when it names one, must exist: otherwise nothing is
 * inserted (the caller answers 404 from `locations`).
 */
export async function insertReservationAndReadStock(
  db: Queryable,
  r: {
    id: string;
    reference: string;
    strategy: AllocationStrategy;
    locationId: string | null;
    actorId: string | null;
    ttlSeconds: number;
    /** `committed`: made and committed at once (its lines then leave the shelf in the same transaction). */
    status: "active" | "committed";
  },
  variantIds: readonly string[],
): Promise<ReservationStock> {
  const { rows } = await db.query<
    Partial<ReservationRow> & {
      variants: VariantRow[] | null;
      locations: LocationRow[] | null;
      levels: LevelRow[] | null;
    }
  >(
    `WITH inserted AS (
       INSERT INTO reservations (id, reference, status, strategy, location_id, actor_id, expires_at, settled_at)
       SELECT $1::uuid, $2::text, $8::text, $3::text, $4::uuid, $5::uuid, now() + make_interval(secs => $6),
              CASE WHEN $8::text = 'active' THEN NULL ELSE now() END
        WHERE $4::uuid IS NULL OR EXISTS (SELECT 1 FROM locations WHERE id = $4::uuid)
       ON CONFLICT (reference) DO NOTHING RETURNING *
     )
     SELECT inserted.*,
            (SELECT json_agg(v) FROM known_variants v WHERE v.id = ANY($7::uuid[])) AS variants,
            (SELECT json_agg(l ORDER BY l.code) FROM locations l) AS locations,
            (SELECT json_agg(s) FROM (SELECT ${LEVEL_COLUMNS} FROM stock_levels
               WHERE variant_id = ANY($7::uuid[]) AND ($4::uuid IS NULL OR location_id = $4::uuid)) s) AS levels
       FROM (VALUES (1)) AS one LEFT JOIN inserted ON true`,
    [r.id, r.reference, r.strategy, r.locationId, r.actorId, r.ttlSeconds, variantIds, r.status],
  );
  const row = rows[0]!;
  return {
    created: row.id ? toReservation(row as ReservationRow, []) : undefined,
    variants: new Map((row.variants ?? []).map((v) => [v.id, toVariant(v)])),
    locations: (row.locations ?? []).map(toLocation),
    levels: new Map((row.levels ?? []).map((l) => [keyOf(l.variant_id, l.location_id), toLevel(l)])),
  };
}

/**
 * Holds `line.quantity` more at the line's level (reserved up, only if that much is available, as
 * `moveLevel` does) and records the line, in one statement: the level row, locked by the move, is
 * held one round trip less. Undefined, and no line, when the level has not that much available.
 */
export async function holdLine(db: Queryable, reservationId: string, line: AllocatedLine): Promise<Level | undefined> {
  const { rows } = await db.query<LevelRow>(
    `WITH moved AS (${MOVE_LEVEL}),
     held AS (
       INSERT INTO reservation_lines (reservation_id, variant_id, location_id, quantity)
       SELECT $5::uuid, variant_id, location_id, $4::int FROM moved
     )
     SELECT * FROM moved`,
    [line.variantId, line.locationId, 0, line.quantity, reservationId],
  );
  return rows[0] && toLevel(rows[0]);
}

/** The lines of the reservation `r`, in (variant, location) order, as a JSON column. */
const LINES = `coalesce((SELECT json_agg(json_build_object('variantId', rl.variant_id, 'locationId', rl.location_id,
    'quantity', rl.quantity) ORDER BY rl.variant_id, rl.location_id)
  FROM reservation_lines rl WHERE rl.reservation_id = r.id), '[]') AS lines`;

/** The variants and the locations of the lines of the reservation `r`, as JSON columns. */
const PLACES = `(SELECT json_agg(v) FROM known_variants v
    WHERE v.id IN (SELECT variant_id FROM reservation_lines WHERE reservation_id = r.id)) AS variants,
  (SELECT json_agg(loc) FROM locations loc
    WHERE loc.id IN (SELECT location_id FROM reservation_lines WHERE reservation_id = r.id)) AS locations`;

type RowWithLines = ReservationRow & { lines: AllocatedLine[] };
type RowWithPlaces = RowWithLines & { variants: VariantRow[] | null; locations: LocationRow[] | null };

/** A reservation with what its lines' events need: their variants and locations (by id). */
export interface ReservationWithPlaces {
  reservation: Reservation;
  variants: Map<string, KnownVariant>;
  locations: Map<string, Location>;
}

const withPlaces = (row: RowWithPlaces): ReservationWithPlaces => ({
  reservation: toReservation(row, row.lines),
  variants: new Map((row.variants ?? []).map((v) => [v.id, toVariant(v)])),
  locations: new Map((row.locations ?? []).map((l) => [l.id, toLocation(l)])),
});

/** One reservation and its lines, in one round trip. */
async function findBy(db: Queryable, where: string, value: string, lock: string): Promise<Reservation | undefined> {
  const { rows } = await db.query<RowWithLines>(
    `SELECT r.*, ${LINES} FROM reservations r WHERE r.${where} = $1 ${lock}`,
    [value],
  );
  return rows[0] && toReservation(rows[0], rows[0].lines);
}

/** One reservation, its lines, and their variants and locations, in one round trip. */
async function findWithPlacesBy(db: Queryable, id: string, lock: string): Promise<ReservationWithPlaces | undefined> {
  const { rows } = await db.query<RowWithPlaces>(
    `SELECT r.*, ${LINES}, ${PLACES} FROM reservations r WHERE r.id = $1 ${lock}`,
    [id],
  );
  return rows[0] && withPlaces(rows[0]);
}

export const findReservation = (db: Queryable, id: string) => findBy(db, "id", id, "");
export const findReservationByReference = (db: Queryable, reference: string) => findBy(db, "reference", reference, "");
/** Locks the reservation until the transaction ends: commit, release, expiry and transfers queue on it. */
export const lockReservation = (db: Queryable, id: string) => findBy(db, "id", id, "FOR UPDATE OF r");
export const findReservationWithPlaces = (db: Queryable, id: string) => findWithPlacesBy(db, id, "");
/** `lockReservation`, with its lines' variants and locations read in the same round trip. */
export const lockReservationWithPlaces = (db: Queryable, id: string) => findWithPlacesBy(db, id, "FOR UPDATE OF r");

/** Ends an active reservation; returns it in its new state. */
export async function settleReservation(
  db: Queryable,
  reservation: Reservation,
  status: Exclude<ReservationStatus, "active">,
): Promise<Reservation> {
  const { rows } = await db.query<{ settled_at: Date }>(
    "UPDATE reservations SET status = $2, settled_at = now() WHERE id = $1 RETURNING settled_at",
    [reservation.id, status],
  );
  return { ...reservation, status, settledAt: rows[0]!.settled_at.toISOString() };
}

/**
 * The next active reservation past its expiry that no other instance is handling, locked, with its
 * lines' variants and locations; SKIP LOCKED lets every instance sweep at once without waiting on
 * each other.
 */
export async function lockNextExpired(db: Queryable, asOf: Date | null): Promise<ReservationWithPlaces | undefined> {
  const { rows } = await db.query<RowWithPlaces>(
    `SELECT r.*, ${LINES}, ${PLACES}
       FROM (SELECT * FROM reservations WHERE status = 'active' AND expires_at <= coalesce($1::timestamptz, now())
              ORDER BY expires_at LIMIT 1 FOR UPDATE SKIP LOCKED) r`,
    [asOf],
  );
  return rows[0] && withPlaces(rows[0]);
}
