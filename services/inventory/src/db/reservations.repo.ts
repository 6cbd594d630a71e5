import type { Queryable } from "@comptoir/platform";
import type { AllocatedLine, AllocationStrategy } from "../domain/allocation";

export type ReservationStatus = "active" | "committed" | "released" | "expired";

export interface Reservation {
  id: string;
  reference: string;
  status: ReservationStatus;
  strategy: AllocationStrategy;
  locationId: string | null;
  expiresAt: string;
  createdAt: string;
  settledAt: string | null;
  lines: AllocatedLine[];
}

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

/** Inserts a reservation (without lines) unless its reference exists: then undefined (a concurrent insert waits for the first). */
export async function insertReservation(
  db: Queryable,
  r: {
    id: string;
    reference: string;
    strategy: AllocationStrategy;
    locationId: string | null;
    actorId: string | null;
    ttlSeconds: number;
  },
): Promise<Reservation | undefined> {
  const { rows } = await db.query<ReservationRow>(
    `INSERT INTO reservations (id, reference, status, strategy, location_id, actor_id, expires_at)
     VALUES ($1, $2, 'active', $3, $4, $5, now() + make_interval(secs => $6))
     ON CONFLICT (reference) DO NOTHING RETURNING *`,
    [r.id, r.reference, r.strategy, r.locationId, r.actorId, r.ttlSeconds],
  );
  return rows[0] && toReservation(rows[0], []);
}

export async function insertLines(db: Queryable, reservationId: string, lines: readonly AllocatedLine[]) {
  await db.query(
    `INSERT INTO reservation_lines (reservation_id, variant_id, location_id, quantity)
     SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::int[])`,
    [reservationId, lines.map((l) => l.variantId), lines.map((l) => l.locationId), lines.map((l) => l.quantity)],
  );
}

async function linesOf(db: Queryable, id: string): Promise<AllocatedLine[]> {
  const { rows } = await db.query<{ variant_id: string; location_id: string; quantity: number }>(
    `SELECT variant_id, location_id, quantity FROM reservation_lines WHERE reservation_id = $1
      ORDER BY variant_id, location_id`,
    [id],
  );
  return rows.map((r) => ({ variantId: r.variant_id, locationId: r.location_id, quantity: r.quantity }));
}

async function findBy(db: Queryable, where: string, value: string, lock: string): Promise<Reservation | undefined> {
  const { rows } = await db.query<ReservationRow>(`SELECT * FROM reservations WHERE ${where} = $1 ${lock}`, [value]);
  return rows[0] && toReservation(rows[0], await linesOf(db, rows[0].id));
}

export const findReservation = (db: Queryable, id: string) => findBy(db, "id", id, "");
export const findReservationByReference = (db: Queryable, reference: string) => findBy(db, "reference", reference, "");
/** Locks the reservation until the transaction ends: commit, release, expiry and transfers queue on it. */
export const lockReservation = (db: Queryable, id: string) => findBy(db, "id", id, "FOR UPDATE");

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
 * The next active reservation past its expiry that no other instance is handling, locked; SKIP
 * LOCKED lets every instance sweep at once without waiting on each other.
 */
export async function lockNextExpired(db: Queryable, asOf: Date | null): Promise<Reservation | undefined> {
  const { rows } = await db.query<ReservationRow>(
    `SELECT * FROM reservations WHERE status = 'active' AND expires_at <= coalesce($1::timestamptz, now())
      ORDER BY expires_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
    [asOf],
  );
  return rows[0] && toReservation(rows[0], await linesOf(db, rows[0].id));
}
