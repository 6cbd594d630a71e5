import type { Queryable } from "@comptoir/platform";
import type { Transfer } from "../model/transfer";

interface TransferRow {
  id: string;
  reference: string;
  from_location_id: string;
  to_location_id: string;
  reservation_id: string | null;
  status: "completed" | "reversed";
  created_at: Date;
  reversed_at: Date | null;
}

export async function insertTransfer(
  db: Queryable,
  t: {
    id: string;
    reference: string;
    fromLocationId: string;
    toLocationId: string;
    reservationId: string | null;
    actorId: string | null;
  },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO transfers (id, reference, from_location_id, to_location_id, reservation_id, status, actor_id)
     VALUES ($1, $2, $3, $4, $5, 'completed', $6) ON CONFLICT (reference) DO NOTHING`,
    [t.id, t.reference, t.fromLocationId, t.toLocationId, t.reservationId, t.actorId],
  );
  return rowCount === 1;
}

export async function insertTransferLines(
  db: Queryable,
  transferId: string,
  items: readonly { variantId: string; quantity: number }[],
) {
  await db.query(
    `INSERT INTO transfer_lines (transfer_id, variant_id, quantity) SELECT $1, * FROM unnest($2::uuid[], $3::int[])`,
    [transferId, items.map((i) => i.variantId), items.map((i) => i.quantity)],
  );
}

async function findBy(db: Queryable, where: string, value: string, lock: string): Promise<Transfer | undefined> {
  const { rows } = await db.query<TransferRow>(`SELECT * FROM transfers WHERE ${where} = $1 ${lock}`, [value]);
  const row = rows[0];
  if (!row) return undefined;
  const lines = await db.query<{ variant_id: string; quantity: number }>(
    "SELECT variant_id, quantity FROM transfer_lines WHERE transfer_id = $1 ORDER BY variant_id",
    [row.id],
  );
  return {
    id: row.id,
    reference: row.reference,
    fromLocationId: row.from_location_id,
    toLocationId: row.to_location_id,
    reservationId: row.reservation_id,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    reversedAt: row.reversed_at?.toISOString() ?? null,
    items: lines.rows.map((l) => ({ variantId: l.variant_id, quantity: l.quantity })),
  };
}

export const findTransfer = (db: Queryable, id: string) => findBy(db, "id", id, "");
export const findTransferByReference = (db: Queryable, reference: string) => findBy(db, "reference", reference, "");
export const lockTransfer = (db: Queryable, id: string) => findBy(db, "id", id, "FOR UPDATE");

export async function markReversed(db: Queryable, id: string) {
  await db.query("UPDATE transfers SET status = 'reversed', reversed_at = now() WHERE id = $1", [id]);
}
