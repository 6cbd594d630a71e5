import type { VatLine } from "@comptoir/contracts";
import { type PageWindow, type Queryable, selectPage, type Tx } from "@comptoir/platform";
import type { Refund, ReturnLine } from "../model/return";
import type { retailHttp } from "@comptoir/contracts/http";
import type { DocumentFilter } from "./sales.repo";

const ts = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const COLUMNS = `r.id, r.sale_id AS "saleId", r.store_id AS "storeId", r.register_id AS "registerId",
  r.session_id AS "sessionId", r.cashier_id AS "cashierId", r.status, r.receipt_number AS "receiptNumber",
  r.currency, r.lines, r.total, r.vat, r.refunds, r.reason, r.reprints,
  (SELECT jsonb_build_object('code', c.code, 'amount', c.amount) FROM store_credits c WHERE c.return_id = r.id) AS "storeCredit",
  ${ts("r.created_at")} AS "createdAt", ${ts("r.completed_at")} AS "completedAt"`;

const toReturn = (row: Record<string, unknown>): retailHttp.Return & { reprints: number } => {
  const credit = row.storeCredit as { code: string; amount: number | string } | null;
  return {
    ...row,
    total: Number(row.total),
    storeCredit: credit ? { code: credit.code, amount: Number(credit.amount) } : null,
  } as retailHttp.Return & { reprints: number };
};

export interface NewReturn {
  id: string;
  saleId: string | null;
  storeId: string;
  registerId: string;
  sessionId: string;
  cashierId: string;
  currency: string;
  lines: ReturnLine[];
  total: number;
  vat: VatLine[];
  refunds: Refund[];
  refundMethod: string | null;
  reason: string | null;
}

/** A return under way: its quantities are held against the sale until it completes or fails. */
export async function insertReturn(tx: Tx, r: NewReturn): Promise<void> {
  const cash = r.refunds.filter((x) => x.method === "cash").reduce((a, x) => a + x.amount, 0);
  await tx.query(
    `INSERT INTO returns (id, sale_id, store_id, register_id, session_id, cashier_id, status, currency, lines, total,
       vat, refunds, cash_refunded, refund_method, reason)
     VALUES ($1, $2, $3, $4, $5, $6, 'running', $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      r.id,
      r.saleId,
      r.storeId,
      r.registerId,
      r.sessionId,
      r.cashierId,
      r.currency,
      JSON.stringify(r.lines),
      r.total,
      JSON.stringify(r.vat),
      JSON.stringify(r.refunds),
      cash,
      r.refundMethod,
      r.reason,
    ],
  );
}

export async function findReturn(db: Queryable, id: string) {
  const { rows } = await db.query<Record<string, unknown>>(`SELECT ${COLUMNS} FROM returns r WHERE r.id = $1`, [id]);
  return rows[0] && toReturn(rows[0]);
}

export async function completeReturn(tx: Tx, id: string, seq: number, number: string, at: Date): Promise<void> {
  await tx.query(
    `UPDATE returns SET status = 'completed', receipt_seq = $2, receipt_number = $3, completed_at = $4
      WHERE id = $1 AND status = 'running'`,
    [id, seq, number, at],
  );
}

export async function failReturn(tx: Queryable, id: string): Promise<void> {
  await tx.query("UPDATE returns SET status = 'failed' WHERE id = $1 AND status = 'running'", [id]);
}

/** The sale's returns that count (running or completed): their lines and refunds. */
export async function returnsOfSale(
  db: Queryable,
  saleId: string,
): Promise<{ lines: { variantId: string; quantity: number }[]; refunds: Refund[] }> {
  const { rows } = await db.query<{ lines: ReturnLine[]; refunds: Refund[] }>(
    "SELECT lines, refunds FROM returns WHERE sale_id = $1 AND status IN ('running', 'completed')",
    [saleId],
  );
  return { lines: rows.flatMap((r) => r.lines), refunds: rows.flatMap((r) => r.refunds) };
}

export async function listReturns(db: Queryable, filter: DocumentFilter, window: PageWindow) {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    where.push(sql.replace("?", `$${values.length}`));
  };
  if (filter.onlyStoreId) add("r.store_id = ?", filter.onlyStoreId);
  if (filter.storeId) add("r.store_id = ?", filter.storeId);
  if (filter.registerId) add("r.register_id = ?", filter.registerId);
  if (filter.cashierId) add("r.cashier_id = ?", filter.cashierId);
  if (filter.sessionId) add("r.session_id = ?", filter.sessionId);
  if (filter.saleId) add("r.sale_id = ?", filter.saleId);
  if (filter.from) add("r.created_at >= ?", filter.from);
  if (filter.to) add("r.created_at < ?", filter.to);
  where.push("r.status = 'completed'");
  const clause = `WHERE ${where.join(" AND ")}`;
  const n = values.length;
  const page = await selectPage<Record<string, unknown>>(
    db,
    {
      // The return's own total is read as docTotal: selectPage takes `total` for the count.
      text: `SELECT ${COLUMNS.replace("r.total, r.vat", 'r.total AS "docTotal", r.vat')}, count(*) OVER ()::int AS total FROM returns r ${clause}
        ORDER BY r.created_at DESC, r.id DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
      values: [...values, window.limit, window.offset],
    },
    { text: `SELECT count(*)::int AS total FROM returns r ${clause}`, values },
    window.offset,
  );
  return { rows: page.rows.map(({ docTotal, ...row }) => toReturn({ ...row, total: docTotal })), total: page.total };
}
