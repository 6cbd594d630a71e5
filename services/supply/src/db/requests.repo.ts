import { type Queryable, selectPage } from "@comptoir/platform";
import type { RequestLine, RequestStatus, SupplyRequest } from "../model/request";

interface Row {
  id: string;
  store_id: string;
  location_id: string;
  from_location_id: string;
  status: RequestStatus;
  note: string | null;
  requested_by: string;
  decided_by: string | null;
  reason: string | null;
  created_at: Date;
  decided_at: Date | null;
  finished_at: Date | null;
  lines: RequestLine[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toRequest(row: Row): SupplyRequest {
  return {
    id: row.id,
    storeId: row.store_id,
    locationId: row.location_id,
    fromLocationId: row.from_location_id,
    status: row.status,
    note: row.note,
    lines: row.lines,
    requestedBy: row.requested_by,
    decidedBy: row.decided_by,
    reason: row.reason,
    createdAt: row.created_at.toISOString(),
    decidedAt: iso(row.decided_at),
    finishedAt: iso(row.finished_at),
  };
}

const SELECT = `
  SELECT r.*, coalesce((SELECT json_agg(json_build_object('variantId', l.variant_id, 'quantity', l.quantity)
                                        ORDER BY l.variant_id)
                          FROM supply_request_lines l WHERE l.request_id = r.id), '[]') AS lines
    FROM supply_requests r`;

export async function insertRequest(
  tx: Queryable,
  r: Pick<SupplyRequest, "id" | "storeId" | "locationId" | "fromLocationId" | "note" | "requestedBy" | "lines">,
): Promise<void> {
  await tx.query(
    `INSERT INTO supply_requests (id, store_id, location_id, from_location_id, status, note, requested_by)
     VALUES ($1, $2, $3, $4, 'requested', $5, $6)`,
    [r.id, r.storeId, r.locationId, r.fromLocationId, r.note, r.requestedBy],
  );
  await tx.query(
    `INSERT INTO supply_request_lines (request_id, variant_id, quantity)
     SELECT $1, * FROM unnest($2::uuid[], $3::int[])`,
    [r.id, r.lines.map((l) => l.variantId), r.lines.map((l) => l.quantity)],
  );
}

export async function findRequest(db: Queryable, id: string): Promise<SupplyRequest | undefined> {
  const { rows } = await db.query<Row>(`${SELECT} WHERE r.id = $1`, [id]);
  return rows[0] && toRequest(rows[0]);
}

/** The request, locked until the end of the transaction (decisions and the saga's end serialize on it). */
export async function lockRequest(tx: Queryable, id: string): Promise<SupplyRequest | undefined> {
  const { rows } = await tx.query<Row>(`${SELECT} WHERE r.id = $1 FOR UPDATE OF r`, [id]);
  return rows[0] && toRequest(rows[0]);
}

export async function updateStatus(
  tx: Queryable,
  id: string,
  change: { status: RequestStatus; decidedBy?: string; reason?: string | null },
): Promise<SupplyRequest> {
  const decided = change.status === "approved" || change.status === "rejected";
  const finished = change.status !== "approved";
  await tx.query(
    `UPDATE supply_requests
        SET status = $2,
            decided_by = coalesce($3, decided_by),
            reason = coalesce($4, reason),
            decided_at = CASE WHEN $5 THEN now() ELSE decided_at END,
            finished_at = CASE WHEN $6 THEN now() ELSE finished_at END
      WHERE id = $1`,
    [id, change.status, change.decidedBy ?? null, change.reason ?? null, decided, finished],
  );
  return (await findRequest(tx, id))!;
}

export interface RequestFilter {
  status?: RequestStatus;
  locationId?: string;
  /** A clerk's store: only its requests. */
  storeId?: string;
  limit: number;
  offset: number;
}

export async function listRequests(db: Queryable, f: RequestFilter): Promise<{ data: SupplyRequest[]; total: number }> {
  const where = `($1::text IS NULL OR r.status = $1) AND ($2::uuid IS NULL OR r.location_id = $2)
                 AND ($3::uuid IS NULL OR r.store_id = $3)`;
  const params = [f.status ?? null, f.locationId ?? null, f.storeId ?? null];
  const { rows, total } = await selectPage<Row>(
    db,
    {
      text: `SELECT page.*, coalesce((SELECT json_agg(json_build_object('variantId', l.variant_id, 'quantity', l.quantity)
                                                     ORDER BY l.variant_id)
                                       FROM supply_request_lines l WHERE l.request_id = page.id), '[]') AS lines
               FROM (SELECT r.*, count(*) OVER ()::int AS total FROM supply_requests r
                      WHERE ${where} ORDER BY r.created_at DESC, r.id DESC LIMIT $4 OFFSET $5) AS page
              ORDER BY page.created_at DESC, page.id DESC`,
      values: [...params, f.limit, f.offset],
    },
    { text: `SELECT count(*)::int AS total FROM supply_requests r WHERE ${where}`, values: params },
    f.offset,
  );
  return { data: rows.map(toRequest), total };
}
