import { type Queryable, selectPage, type Tx } from "@comptoir/platform";
import type { CashMovement, CashMovementTotals, Counted, Session, SessionReport } from "../model/session";
import { ts } from "./stores.repo";

/** `flagged` as of `$now` when the query has one, else as of the database's clock (use cases recompute it with theirs). */
const columns = (now = "now()") => `id, register_id AS "registerId", store_id AS "storeId", status,
  opened_by AS "openedBy", ${ts("opened_at")} AS "openedAt", opening_float AS "openingFloat",
  closed_by AS "closedBy", ${ts("closed_at")} AS "closedAt", ${ts("flag_after")} AS "flagAfter",
  coalesce(closed_at, ${now}) > flag_after AS flagged,
  counted, counted_cash AS "countedCash", expected_cash AS "expectedCash", variance, close_note AS note,
  z_report AS "zReport"`;

type Money = "openingFloat" | "countedCash" | "expectedCash" | "variance";
type SessionRow = Omit<Session, Money> & { openingFloat: string } & Record<
    Exclude<Money, "openingFloat">,
    string | null
  >;

const num = (v: string | null) => (v === null ? null : Number(v));
const toSession = (row: SessionRow): Session => ({
  ...row,
  openingFloat: Number(row.openingFloat),
  countedCash: num(row.countedCash),
  expectedCash: num(row.expectedCash),
  variance: num(row.variance),
});

export async function findSession(db: Queryable, id: string): Promise<Session | undefined> {
  const { rows } = await db.query<SessionRow>({
    name: "session_find",
    text: `SELECT ${columns()} FROM sessions WHERE id = $1`,
    values: [id],
  });
  return rows[0] && toSession(rows[0]);
}

/** The register's open session, if any (no lock). */
export async function findOpenSession(db: Queryable, registerId: string): Promise<Session | undefined> {
  const { rows } = await db.query<SessionRow>({
    name: "session_find_open",
    text: `SELECT ${columns()} FROM sessions WHERE register_id = $1 AND status = 'open'`,
    values: [registerId],
  });
  return rows[0] && toSession(rows[0]);
}

/**
 * The register's open session, locked FOR SHARE: a sale or a return is recorded in the session it
 * locked, and a close (which locks FOR UPDATE) waits for the sales in flight. Undefined when the
 * register has no open session.
 */
export async function lockOpenSession(tx: Tx, registerId: string): Promise<Session | undefined> {
  const { rows } = await tx.query<SessionRow>({
    name: "session_lock_open_share",
    text: `SELECT ${columns()} FROM sessions WHERE register_id = $1 AND status = 'open' FOR SHARE`,
    values: [registerId],
  });
  return rows[0] && toSession(rows[0]);
}

/** The register's open session, locked FOR UPDATE (its close: no sale or movement enters it meanwhile). */
export async function lockOpenSessionForClose(tx: Tx, registerId: string): Promise<Session | undefined> {
  const { rows } = await tx.query<SessionRow>({
    name: "session_lock_open_update",
    text: `SELECT ${columns()} FROM sessions WHERE register_id = $1 AND status = 'open' FOR UPDATE`,
    values: [registerId],
  });
  return rows[0] && toSession(rows[0]);
}

export interface NewSession {
  id: string;
  registerId: string;
  storeId: string;
  openedBy: string;
  openedAt: Date;
  openingFloat: number;
  flagAfter: Date;
}

/** Opens a session; throws the unique violation of sessions_one_open_per_register when one is open. */
export async function insertSession(tx: Queryable, s: NewSession): Promise<Session> {
  const { rows } = await tx.query<SessionRow>(
    `INSERT INTO sessions (id, register_id, store_id, status, opened_by, opened_at, opening_float, flag_after)
     VALUES ($1, $2, $3, 'open', $4, $5, $6, $7)
     RETURNING ${columns()}`,
    [s.id, s.registerId, s.storeId, s.openedBy, s.openedAt, s.openingFloat, s.flagAfter],
  );
  return toSession(rows[0]!);
}

export async function closeSession(
  tx: Queryable,
  id: string,
  close: {
    closedBy: string;
    closedAt: Date;
    counted: Counted;
    report: SessionReport;
    note: string | null;
  },
): Promise<Session> {
  const { rows } = await tx.query<SessionRow>(
    `UPDATE sessions SET status = 'closed', closed_by = $2, closed_at = $3, counted = $4, counted_cash = $5,
            expected_cash = $6, variance = $7, close_note = $8, z_report = $9
      WHERE id = $1 AND status = 'open'
      RETURNING ${columns()}`,
    [
      id,
      close.closedBy,
      close.closedAt,
      JSON.stringify(close.counted),
      close.report.countedCash,
      close.report.expectedCash,
      close.report.variance,
      close.note,
      JSON.stringify(close.report),
    ],
  );
  return toSession(rows[0]!);
}

export interface SessionFilter {
  /** Only these stores' sessions (staff: their own); undefined: every store. */
  storeId?: string | null;
  registerId?: string;
  cashierId?: string;
  status?: "open" | "closed";
  from?: string;
  to?: string;
  flagged?: boolean;
}

/** Sessions, newest opened first; `flagged` as of `now`. */
export async function listSessions(
  db: Queryable,
  filter: SessionFilter,
  now: Date,
  window: { limit: number; offset: number },
): Promise<{ rows: Session[]; total: number }> {
  const values: unknown[] = [now];
  const where: string[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    values.push(value);
    where.push(sql(`$${values.length}`));
  };
  if (filter.storeId !== undefined) add((p) => `store_id = ${p}`, filter.storeId);
  if (filter.registerId) add((p) => `register_id = ${p}`, filter.registerId);
  if (filter.cashierId) add((p) => `opened_by = ${p}`, filter.cashierId);
  if (filter.status) add((p) => `status = ${p}`, filter.status);
  if (filter.from) add((p) => `opened_at >= ${p}`, filter.from);
  if (filter.to) add((p) => `opened_at < ${p}`, filter.to);
  if (filter.flagged !== undefined) add((p) => `(coalesce(closed_at, $1) > flag_after) = ${p}`, filter.flagged);
  const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const page = await selectPage<SessionRow>(
    db,
    {
      text: `SELECT ${columns("$1::timestamptz")}, count(*) OVER ()::int AS total FROM sessions ${clause}
              ORDER BY opened_at DESC, id DESC LIMIT $${values.length + 1} OFFSET $${values.length + 2}`,
      values: [...values, window.limit, window.offset],
    },
    // The count names $1 (now) even when no filter uses it: a statement must use every value it is given.
    {
      text: `SELECT count(*)::int AS total FROM sessions WHERE $1::timestamptz IS NOT NULL
              ${where.map((w) => `AND ${w}`).join(" ")}`,
      values,
    },
    window.offset,
  );
  return { rows: page.rows.map(toSession), total: page.total };
}

export async function insertCashMovement(
  tx: Queryable,
  m: Omit<CashMovement, "createdAt"> & { createdAt: Date },
): Promise<CashMovement> {
  const { rows } = await tx.query<CashMovement & { amount: string }>(
    `INSERT INTO cash_movements (id, session_id, direction, amount, reason, note, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     RETURNING id, session_id AS "sessionId", direction, amount, reason, note, created_by AS "createdBy",
               ${ts("created_at")} AS "createdAt"`,
    [m.id, m.sessionId, m.direction, m.amount, m.reason, m.note, m.createdBy, m.createdAt],
  );
  const row = rows[0]!;
  return { ...row, registerId: m.registerId, amount: Number(row.amount) };
}

export async function cashMovementTotals(db: Queryable, sessionId: string): Promise<CashMovementTotals> {
  const { rows } = await db.query<{ count: number; in: string; out: string }>({
    name: "cash_movement_totals",
    text: `SELECT count(*)::int AS count,
                  coalesce(sum(amount) FILTER (WHERE direction = 'in'), 0) AS in,
                  coalesce(sum(amount) FILTER (WHERE direction = 'out'), 0) AS out
             FROM cash_movements WHERE session_id = $1`,
    values: [sessionId],
  });
  const r = rows[0]!;
  return { count: r.count, in: Number(r.in), out: Number(r.out) };
}

/** Per store code, its sessions still open after their store's closing time (`flag_after`) as of `now`; 0 for the others. */
export async function openPastClosingByStore(db: Queryable, now: Date): Promise<{ store: string; count: number }[]> {
  const { rows } = await db.query<{ store: string; count: number }>({
    name: "sessions_open_past_closing",
    text: `SELECT st.code AS store, count(se.id)::int AS count
             FROM stores st
             LEFT JOIN sessions se ON se.store_id = st.id AND se.status = 'open' AND se.flag_after < $1
            GROUP BY st.code`,
    values: [now],
  });
  return rows;
}
