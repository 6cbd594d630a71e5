import type { Queryable } from "@comptoir/platform";
import {
  type Alert,
  type AlertView,
  availableOf,
  type Level,
  type LevelKey,
  type LevelView,
  type Movement,
  type MovementType,
} from "../model/stock";

export interface LevelRow {
  variant_id: string;
  location_id: string;
  on_hand: number;
  reserved: number;
  low_stock_threshold: number | null;
}

export const toLevel = (row: LevelRow): Level => ({
  variantId: row.variant_id,
  locationId: row.location_id,
  onHand: row.on_hand,
  reserved: row.reserved,
  available: availableOf({ onHand: row.on_hand, reserved: row.reserved }),
  lowStockThreshold: row.low_stock_threshold,
});

export const LEVEL_COLUMNS = "variant_id, location_id, on_hand, reserved, low_stock_threshold";

/** Creates the (empty) levels that do not exist yet, so that they can be locked and moved. */
export async function ensureLevels(db: Queryable, keys: readonly LevelKey[]): Promise<void> {
  if (keys.length === 0) return;
  await db.query(
    `INSERT INTO stock_levels (variant_id, location_id)
     SELECT * FROM unnest($1::uuid[], $2::uuid[]) ON CONFLICT DO NOTHING`,
    [keys.map((k) => k.variantId), keys.map((k) => k.locationId)],
  );
}

/**
 * Locks the levels of these variants at these locations until the transaction ends, always in
 * (variant_id, location_id) order: two transactions that lock overlapping sets cannot deadlock.
 * FOR NO KEY UPDATE is the lock an UPDATE of the level takes: it leaves alone the key-share lock
 * that inserting a movement, a reservation line or an alert takes on the level (the foreign key),
 * so those inserts never wait on a locked level, nor a lock on them (no deadlock through them).
 */
export async function lockLevels(
  db: Queryable,
  variantIds: readonly string[],
  locationIds: readonly string[],
): Promise<Map<string, Level>> {
  const { rows } = await db.query<LevelRow>(
    `SELECT ${LEVEL_COLUMNS} FROM stock_levels
      WHERE variant_id = ANY($1::uuid[]) AND location_id = ANY($2::uuid[])
      ORDER BY variant_id, location_id FOR NO KEY UPDATE`,
    [variantIds, locationIds],
  );
  return new Map(rows.map((r) => [keyOf(r.variant_id, r.location_id), toLevel(r)]));
}

export const keyOf = (variantId: string, locationId: string) => `${variantId}/${locationId}`;

/**
 * The UPDATE of `moveLevel` ($1 variant, $2 location, $3 on-hand delta, $4 reserved delta), for the
 * statements that write what goes with the move in the same round trip (WITH moved AS (...)).
 */
export const MOVE_LEVEL = `UPDATE stock_levels SET on_hand = on_hand + $3, reserved = reserved + $4, updated_at = now()
  WHERE variant_id = $1 AND location_id = $2 AND reserved + $4 >= 0 AND on_hand + $3 >= reserved + $4
  RETURNING ${LEVEL_COLUMNS}`;

/**
 * Moves a level atomically: on hand by `onHandDelta`, reserved by `reservedDelta`, only if the
 * result keeps 0 <= reserved <= on hand. Undefined when it would not (or the level does not exist).
 * The UPDATE locks the row; a concurrent one waits and re-checks the condition on the new values.
 */
export async function moveLevel(
  db: Queryable,
  key: LevelKey,
  onHandDelta: number,
  reservedDelta: number,
): Promise<Level | undefined> {
  const { rows } = await db.query<LevelRow>(MOVE_LEVEL, [key.variantId, key.locationId, onHandDelta, reservedDelta]);
  return rows[0] && toLevel(rows[0]);
}

/**
 * Moves the movement's level by its quantity (and reserved by `reservedDelta`) as `moveLevel` does,
 * and appends the movement to the ledger only if the level moved: one statement, so that the level
 * row, locked by the move, is held one round trip less. Undefined (nothing appended) when the
 * level cannot move that far.
 */
export async function moveLevelAndAppend(
  db: Queryable,
  m: Omit<Movement, "createdAt">,
  reservedDelta: number,
  /**
   * A reservation committed as it is made (a till sale): the same statement records its line
   * (`-m.quantity` of the level, for `m.reservationId`), only if the level moved.
   */
  options: { recordLine?: boolean } = {},
): Promise<{ level: Level; movement: Movement } | undefined> {
  const line = options.recordLine
    ? `held AS (
       INSERT INTO reservation_lines (reservation_id, variant_id, location_id, quantity)
       SELECT $10::uuid, variant_id, location_id, -$3::int FROM moved
     ),`
    : "";
  const { rows } = await db.query<LevelRow & MovementRow>(
    `WITH moved AS (${MOVE_LEVEL}), ${line}
     appended AS (
       INSERT INTO stock_movements
         (id, variant_id, location_id, type, quantity, reason, actor_id, reference, reservation_id, transfer_id)
       SELECT $5::uuid, variant_id, location_id, $6::text, $3::int, $7::text, $8::uuid, $9::text, $10::uuid, $11::uuid
         FROM moved
       RETURNING *
     )
     SELECT moved.on_hand, moved.reserved, moved.low_stock_threshold, appended.* FROM moved, appended`,
    [
      m.variantId,
      m.locationId,
      m.quantity,
      reservedDelta,
      m.id,
      m.type,
      m.reason,
      m.actorId,
      m.reference,
      m.reservationId,
      m.transferId,
    ],
  );
  return rows[0] && { level: toLevel(rows[0]), movement: toMovement(rows[0]) };
}

export async function findLevel(db: Queryable, key: LevelKey): Promise<Level | undefined> {
  const { rows } = await db.query<LevelRow>(
    `SELECT ${LEVEL_COLUMNS} FROM stock_levels WHERE variant_id = $1 AND location_id = $2`,
    [key.variantId, key.locationId],
  );
  return rows[0] && toLevel(rows[0]);
}

export async function listLevels(
  db: Queryable,
  filter: { variantId?: string; locationIds?: readonly string[] },
  page: { limit: number; offset: number },
): Promise<{ rows: LevelView[]; total: number }> {
  const where = "($1::uuid IS NULL OR l.variant_id = $1) AND ($2::uuid[] IS NULL OR l.location_id = ANY($2))";
  const params = [filter.variantId ?? null, filter.locationIds ?? null];
  const [{ rows }, count] = await Promise.all([
    db.query<LevelRow & { sku: string; name: string; code: string }>(
      `SELECT l.variant_id, l.location_id, l.on_hand, l.reserved, l.low_stock_threshold, v.sku, v.name, loc.code
         FROM stock_levels l JOIN known_variants v ON v.id = l.variant_id JOIN locations loc ON loc.id = l.location_id
        WHERE ${where} ORDER BY v.sku, loc.code LIMIT $3 OFFSET $4`,
      [...params, page.limit, page.offset],
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM stock_levels l WHERE ${where}`, params),
  ]);
  return {
    rows: rows.map((r) => ({ ...toLevel(r), sku: r.sku, productName: r.name, locationCode: r.code })),
    total: count.rows[0]!.n,
  };
}

export async function setThreshold(db: Queryable, key: LevelKey, threshold: number | null): Promise<Level> {
  const { rows } = await db.query<LevelRow>(
    `UPDATE stock_levels SET low_stock_threshold = $3, updated_at = now()
      WHERE variant_id = $1 AND location_id = $2 RETURNING ${LEVEL_COLUMNS}`,
    [key.variantId, key.locationId, threshold],
  );
  return toLevel(rows[0]!);
}

// ---- movements

interface MovementRow {
  id: string;
  variant_id: string;
  location_id: string;
  type: MovementType;
  quantity: number;
  reason: string | null;
  actor_id: string | null;
  reference: string | null;
  reservation_id: string | null;
  transfer_id: string | null;
  created_at: Date;
}

const toMovement = (row: MovementRow): Movement => ({
  id: row.id,
  variantId: row.variant_id,
  locationId: row.location_id,
  type: row.type,
  quantity: row.quantity,
  reason: row.reason,
  actorId: row.actor_id,
  reference: row.reference,
  reservationId: row.reservation_id,
  transferId: row.transfer_id,
  createdAt: row.created_at.toISOString(),
});

export async function listMovements(
  db: Queryable,
  filter: { variantId?: string; locationIds?: readonly string[]; type?: string },
  page: { limit: number; offset: number },
): Promise<{ rows: Movement[]; total: number }> {
  const where = `($1::uuid IS NULL OR variant_id = $1) AND ($2::uuid[] IS NULL OR location_id = ANY($2))
                 AND ($3::text IS NULL OR type = $3)`;
  const params = [filter.variantId ?? null, filter.locationIds ?? null, filter.type ?? null];
  const [{ rows }, count] = await Promise.all([
    db.query<MovementRow>(
      `SELECT * FROM stock_movements WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5`,
      [...params, page.limit, page.offset],
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM stock_movements WHERE ${where}`, params),
  ]);
  return { rows: rows.map(toMovement), total: count.rows[0]!.n };
}

export async function movementsOfTransfer(db: Queryable, transferId: string): Promise<Movement[]> {
  const { rows } = await db.query<MovementRow>(
    "SELECT * FROM stock_movements WHERE transfer_id = $1 ORDER BY created_at, id",
    [transferId],
  );
  return rows.map(toMovement);
}

// ---- alerts

interface AlertRow {
  id: string;
  variant_id: string;
  location_id: string;
  status: "open" | "resolved";
  threshold: number;
  available: number;
  raised_at: Date;
  resolved_at: Date | null;
}

const toAlert = (row: AlertRow): Alert => ({
  id: row.id,
  variantId: row.variant_id,
  locationId: row.location_id,
  status: row.status,
  threshold: row.threshold,
  available: row.available,
  raisedAt: row.raised_at.toISOString(),
  resolvedAt: row.resolved_at?.toISOString() ?? null,
});

export async function findOpenAlert(db: Queryable, key: LevelKey): Promise<Alert | undefined> {
  const { rows } = await db.query<AlertRow>(
    "SELECT * FROM alerts WHERE variant_id = $1 AND location_id = $2 AND status = 'open'",
    [key.variantId, key.locationId],
  );
  return rows[0] && toAlert(rows[0]);
}

export async function insertAlert(
  db: Queryable,
  alert: { id: string; variantId: string; locationId: string; threshold: number; available: number },
): Promise<Alert> {
  const { rows } = await db.query<AlertRow>(
    `INSERT INTO alerts (id, variant_id, location_id, status, threshold, available)
     VALUES ($1, $2, $3, 'open', $4, $5) RETURNING *`,
    [alert.id, alert.variantId, alert.locationId, alert.threshold, alert.available],
  );
  return toAlert(rows[0]!);
}

export async function resolveAlert(db: Queryable, id: string): Promise<void> {
  await db.query("UPDATE alerts SET status = 'resolved', resolved_at = now() WHERE id = $1", [id]);
}

export async function listAlerts(
  db: Queryable,
  filter: { status?: string; locationIds?: readonly string[]; variantId?: string },
  page: { limit: number; offset: number },
): Promise<{ rows: AlertView[]; total: number }> {
  const where = `($1::text IS NULL OR a.status = $1) AND ($2::uuid[] IS NULL OR a.location_id = ANY($2))
                 AND ($3::uuid IS NULL OR a.variant_id = $3)`;
  const params = [filter.status ?? null, filter.locationIds ?? null, filter.variantId ?? null];
  const [{ rows }, count] = await Promise.all([
    db.query<AlertRow & { sku: string; name: string }>(
      `SELECT a.*, v.sku, v.name FROM alerts a JOIN known_variants v ON v.id = a.variant_id
        WHERE ${where} ORDER BY a.raised_at DESC, a.id DESC LIMIT $4 OFFSET $5`,
      [...params, page.limit, page.offset],
    ),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts a WHERE ${where}`, params),
  ]);
  return { rows: rows.map((r) => ({ ...toAlert(r), sku: r.sku, productName: r.name })), total: count.rows[0]!.n };
}

// ---- verification

export interface LevelAudit {
  variantId: string;
  locationId: string;
  onHand: number;
  ledgerOnHand: number;
  reserved: number;
  activeReserved: number;
}

/** Every level next to its ledger sum and its active reservations' lines (run in one snapshot). */
export async function auditLevels(db: Queryable): Promise<LevelAudit[]> {
  const { rows } = await db.query<{
    variant_id: string;
    location_id: string;
    on_hand: number;
    ledger: number;
    reserved: number;
    active: number;
  }>(
    `SELECT l.variant_id, l.location_id, l.on_hand, coalesce(m.total, 0)::int AS ledger,
            l.reserved, coalesce(r.total, 0)::int AS active
       FROM stock_levels l
       LEFT JOIN (SELECT variant_id, location_id, sum(quantity) AS total FROM stock_movements GROUP BY 1, 2) m
              USING (variant_id, location_id)
       LEFT JOIN (SELECT rl.variant_id, rl.location_id, sum(rl.quantity) AS total
                    FROM reservation_lines rl JOIN reservations r ON r.id = rl.reservation_id
                   WHERE r.status = 'active' GROUP BY 1, 2) r
              USING (variant_id, location_id)
      ORDER BY l.variant_id, l.location_id`,
  );
  return rows.map((r) => ({
    variantId: r.variant_id,
    locationId: r.location_id,
    onHand: r.on_hand,
    ledgerOnHand: r.ledger,
    reserved: r.reserved,
    activeReserved: r.active,
  }));
}
