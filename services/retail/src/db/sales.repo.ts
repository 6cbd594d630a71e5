import { type VatLine, vatBreakdown } from "@comptoir/contracts";
import { type PageWindow, type Queryable, selectPage, type Tx } from "@comptoir/platform";
import type { Refund } from "../model/return";
import type { Discount, RecordedTender, SaleLine } from "../model/sale";
import type { JournalHead } from "../model/journal";
import type { SessionSalesTotals } from "../model/session";
import type { retailHttp } from "@comptoir/contracts/http";
import { type JournalHeadRow, lockJournalHeadSql, toJournalHead } from "./journal.repo";

type Method = SessionSalesTotals["byTender"][number]["method"];
const METHODS: readonly Method[] = ["cash", "card", "store_credit"];

/**
 * What a cash session's sales, returns and voids came to (the X and Z reports): completed sales
 * (voided ones apart), the tenders they took (cash net of change), the VAT of sales less returns and
 * voids, and the cash that went through the drawer (voided sales included: their cash came in, and
 * went out again as a cash refund).
 */
export async function sessionSalesTotals(tx: Tx | Queryable, sessionId: string): Promise<SessionSalesTotals> {
  // One after the other: a transaction's connection runs one statement at a time (pg queues
  // concurrent ones with a deprecation warning, and pg 9 refuses them).
  const queries = [
    () =>
      tx.query<Record<string, string>>({
        name: "sales_session_totals",
        text: `SELECT count(*) FILTER (WHERE status = 'completed') AS "salesCount",
              coalesce(sum(total) FILTER (WHERE status = 'completed'), 0) AS "salesTotal",
              coalesce(sum(discount_total) FILTER (WHERE status = 'completed'), 0) AS "discountTotal",
              coalesce(sum(change_given) FILTER (WHERE status = 'completed'), 0) AS "keptChange",
              count(*) FILTER (WHERE status = 'voided') AS "voidsCount",
              coalesce(sum(total) FILTER (WHERE status = 'voided'), 0) AS "voidsTotal",
              coalesce(sum(cash_tendered), 0) AS "cashTaken",
              coalesce(sum(change_given), 0) AS "changeGiven",
              coalesce(sum(void_cash_refunded), 0) AS "voidCash"
         FROM sales WHERE session_id = $1`,
        values: [sessionId],
      }),
    () =>
      tx.query<{ method: Method; amount: string }>({
        name: "sales_session_tenders",
        text: `SELECT t->>'method' AS method, sum((t->>'amount')::bigint) AS amount
         FROM sales s, jsonb_array_elements(s.tenders) t
        WHERE s.session_id = $1 AND s.status = 'completed'
        GROUP BY 1`,
        values: [sessionId],
      }),
    () =>
      tx.query<Record<string, string>>({
        name: "returns_session_totals",
        text: `SELECT count(*) AS "returnsCount", coalesce(sum(total), 0) AS "returnsTotal",
              coalesce(sum(cash_refunded), 0) AS "cashRefunds"
         FROM returns WHERE session_id = $1 AND status = 'completed'`,
        values: [sessionId],
      }),
    () =>
      tx.query<{ rate: number; total: string }>({
        name: "sales_session_vat",
        text: `SELECT rate, sum(total) AS total FROM (
           SELECT (v->>'rate')::int AS rate, (v->>'total')::bigint AS total
             FROM sales s, jsonb_array_elements(s.vat) v WHERE s.session_id = $1 AND s.status = 'completed'
           UNION ALL
           SELECT (v->>'rate')::int, -(v->>'total')::bigint
             FROM returns r, jsonb_array_elements(r.vat) v WHERE r.session_id = $1 AND r.status = 'completed'
         ) t GROUP BY rate`,
        values: [sessionId],
      }),
  ] as const;
  const sales = await queries[0]();
  const tenders = await queries[1]();
  const returns = await queries[2]();
  const vat = await queries[3]();
  const s = sales.rows[0]!;
  const r = returns.rows[0]!;
  const taken = new Map(tenders.rows.map((t) => [t.method, Number(t.amount)]));
  taken.set("cash", (taken.get("cash") ?? 0) - Number(s.keptChange));
  return {
    salesCount: Number(s.salesCount),
    salesTotal: Number(s.salesTotal),
    discountTotal: Number(s.discountTotal),
    byTender: METHODS.filter((m) => tenders.rows.some((t) => t.method === m)).map((method) => ({
      method,
      amount: taken.get(method)!,
    })),
    byVatRate: vatBreakdown(vat.rows.map((v) => ({ vatRate: v.rate, total: Number(v.total) }))),
    returnsCount: Number(r.returnsCount),
    returnsTotal: Number(r.returnsTotal),
    voidsCount: Number(s.voidsCount),
    voidsTotal: Number(s.voidsTotal),
    cashTaken: Number(s.cashTaken),
    changeGiven: Number(s.changeGiven),
    cashRefunds: Number(r.cashRefunds) + Number(s.voidCash),
  };
}

/**
 * Returns and voids of the session still under way (their money may be out of the drawer, or of the
 * card, before they are recorded): a session does not close over them, or its Z report would miss
 * them and they would land in a closed session.
 */
export async function refundsUnderWay(tx: Queryable, sessionId: string): Promise<number> {
  const { rows } = await tx.query<{ n: number }>({
    name: "session_refunds_under_way",
    text: `SELECT (SELECT count(*) FROM returns WHERE session_id = $1 AND status = 'running')::int
                + (SELECT count(*) FROM retail_requests r JOIN sales s ON s.id = r.document_id
                    WHERE r.kind = 'void' AND r.status = 'running' AND s.session_id = $1
                      AND s.status = 'completed')::int AS n`,
    values: [sessionId],
  });
  return rows[0]!.n;
}

// ---- requests (idempotency) ---------------------------------------------------------------------

export type RequestKind = "sale" | "return" | "void";

export interface RetailRequest {
  id: string;
  kind: RequestKind;
  scope: string;
  fingerprint: string;
  documentId: string;
  status: "running" | "completed" | "failed";
  problem: Record<string, unknown> | null;
}

const REQUEST_COLUMNS = `id, kind, scope, fingerprint, document_id AS "documentId", status, problem`;

/** This database's key for request fingerprints (created by migration 002). */
export async function fingerprintKey(db: Queryable): Promise<Buffer> {
  const { rows } = await db.query<{ key: Buffer }>("SELECT key FROM sale_fingerprint_key");
  if (!rows[0]) throw new Error("sale_fingerprint_key is empty: migration 002 has not run");
  return rows[0].key;
}

/** Records a request; false when its key (or its id) was used already (the existing one is then read). */
export async function insertRequest(
  tx: Queryable,
  r: { id: string; kind: RequestKind; scope: string; key: string; fingerprint: string; documentId: string },
): Promise<boolean> {
  const { rowCount } = await tx.query({
    name: "retail_request_insert",
    text: `INSERT INTO retail_requests (id, kind, scope, idempotency_key, fingerprint, document_id, status)
     VALUES ($1, $2, $3, $4, $5, $6, 'running') ON CONFLICT DO NOTHING`,
    values: [r.id, r.kind, r.scope, r.key, r.fingerprint, r.documentId],
  });
  return rowCount === 1;
}

export async function findRequestByKey(
  db: Queryable,
  kind: RequestKind,
  scope: string,
  key: string,
): Promise<RetailRequest | undefined> {
  const { rows } = await db.query<RetailRequest>({
    name: "retail_request_by_key",
    text: `SELECT ${REQUEST_COLUMNS} FROM retail_requests WHERE kind = $1 AND scope = $2 AND idempotency_key = $3`,
    values: [kind, scope, key],
  });
  return rows[0];
}

/**
 * What a new sale reads before it starts, in one round trip: the request already made under its key
 * (or with its client sale id), and the id of its register's open session (no lock).
 */
export async function findSaleRequestAndOpenSession(
  db: Queryable,
  q: { scope: string; key: string; id: string | null; registerId: string },
): Promise<{ request: RetailRequest | undefined; openSessionId: string | undefined }> {
  const { rows } = await db.query<{ request: RetailRequest | null; openSessionId: string | null }>({
    name: "sale_request_and_open_session",
    text: `SELECT (SELECT row_to_json(r) FROM (
               SELECT ${REQUEST_COLUMNS} FROM (
                 SELECT *, 1 AS rank FROM retail_requests WHERE kind = 'sale' AND scope = $1 AND idempotency_key = $2
                 UNION ALL
                 SELECT *, 2 FROM retail_requests WHERE $3::uuid IS NOT NULL AND id = $3::uuid
               ) found ORDER BY rank LIMIT 1) r) AS request,
            (SELECT id FROM sessions WHERE register_id = $4 AND status = 'open') AS "openSessionId"`,
    values: [q.scope, q.key, q.id, q.registerId],
  });
  const row = rows[0]!;
  return { request: row.request ?? undefined, openSessionId: row.openSessionId ?? undefined };
}

/**
 * At a sale's completion, in one round trip: whether the sale is recorded already (done before a
 * crash), and the id of its register's open session, locked FOR SHARE as lockOpenSession does (a
 * close waits for the sale; undefined when the register has no open session).
 */
export async function saleDoneAndLockSession(
  tx: Tx,
  saleId: string,
  registerId: string,
): Promise<{ done: boolean; openSessionId: string | undefined }> {
  const { rows } = await tx.query<{ done: boolean; openSessionId: string | null }>({
    name: "sale_done_and_session_lock",
    text: `SELECT EXISTS (SELECT 1 FROM sales WHERE id = $1) AS done,
            (SELECT id FROM sessions WHERE register_id = $2 AND status = 'open' FOR SHARE) AS "openSessionId"`,
    values: [saleId, registerId],
  });
  return { done: rows[0]!.done, openSessionId: rows[0]!.openSessionId ?? undefined };
}

export async function findRequest(db: Queryable, id: string): Promise<RetailRequest | undefined> {
  const { rows } = await db.query<RetailRequest>({
    name: "retail_request_find",
    text: `SELECT ${REQUEST_COLUMNS} FROM retail_requests WHERE id = $1`,
    values: [id],
  });
  return rows[0];
}

/** A void of the sale running or done (a return may not start then). */
export async function voidRequestOf(
  db: Queryable,
  saleId: string,
  exceptId: string | null = null,
): Promise<RetailRequest | undefined> {
  const { rows } = await db.query<RetailRequest>(
    `SELECT ${REQUEST_COLUMNS} FROM retail_requests
      WHERE kind = 'void' AND document_id = $1 AND status IN ('running', 'completed')
        AND id IS DISTINCT FROM $2 LIMIT 1`,
    [saleId, exceptId],
  );
  return rows[0];
}

export async function finishRequest(
  tx: Queryable,
  id: string,
  outcome: { status: "completed" } | { status: "failed"; problem: Record<string, unknown> },
): Promise<void> {
  await tx.query(
    "UPDATE retail_requests SET status = $2, problem = $3, finished_at = now() WHERE id = $1 AND status = 'running'",
    [id, outcome.status, outcome.status === "failed" ? JSON.stringify(outcome.problem) : null],
  );
}

// ---- receipt numbers ----------------------------------------------------------------------------

/** The store's next number of `kind`, in the caller's transaction (a rollback gives it back: no gap). */
export async function nextReceiptSeq(tx: Tx, storeId: string, kind: "sale" | "return"): Promise<number> {
  const { rows } = await tx.query<{ n: string }>({
    name: "receipt_counter_next",
    text: `INSERT INTO receipt_counters (store_id, kind, last_number) VALUES ($1, $2, 1)
     ON CONFLICT (store_id, kind) DO UPDATE SET last_number = receipt_counters.last_number + 1
     RETURNING last_number AS n`,
    values: [storeId, kind],
  });
  return Number(rows[0]!.n);
}

// ---- sales ----------------------------------------------------------------------------------------

const ts = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const SALE_COLUMNS = `id, store_id AS "storeId", register_id AS "registerId", session_id AS "sessionId",
  cashier_id AS "cashierId", receipt_number AS "receiptNumber", status, currency, lines,
  basket_discount AS discount, subtotal, discount_total AS "discountTotal", total, vat, tenders,
  cash_tendered AS "cashTendered", change_given AS change, ${ts("completed_at")} AS "completedAt",
  ${ts("voided_at")} AS "voidedAt", void_reason AS "voidReason", void_refunds AS "voidRefunds", reprints`;

const toSale = (row: Record<string, unknown>): retailHttp.Sale =>
  ({
    ...row,
    subtotal: Number(row.subtotal),
    discountTotal: Number(row.discountTotal),
    total: Number(row.total),
    cashTendered: Number(row.cashTendered),
    change: Number(row.change),
  }) as retailHttp.Sale;

export interface NewSale {
  id: string;
  storeId: string;
  registerId: string;
  sessionId: string;
  cashierId: string;
  /** What the receipt number starts with (receiptNumberOf's, before the store's next number). */
  receiptPrefix: string;
  currency: string;
  lines: SaleLine[];
  discount: Discount | null;
  subtotal: number;
  discountTotal: number;
  total: number;
  vat: VatLine[];
  tenders: RecordedTender[];
  cashTendered: number;
  change: number;
  completedAt: Date;
}

/**
 * Takes the store's next sale number (nextReceiptSeq's counter: a rollback gives it back), records
 * the sale under it, and locks the store's journal head for the sale's entry (lockJournalHead), in
 * one statement: the counter and the head, which every sale of the store waits for, are held that
 * many round trips less. The number is the prefix and at least 6 digits (receiptNumberOf's form).
 */
export async function insertSale(tx: Tx, s: NewSale): Promise<{ sale: retailHttp.Sale; journalHead: JournalHead }> {
  const { rows } = await tx.query<Record<string, unknown> & { journalHead: JournalHeadRow }>({
    name: "sale_insert_numbered",
    text: `WITH counter AS (
       INSERT INTO receipt_counters (store_id, kind, last_number) VALUES ($2, 'sale', 1)
       ON CONFLICT (store_id, kind) DO UPDATE SET last_number = receipt_counters.last_number + 1
       RETURNING last_number AS n
     ), sale AS (
       INSERT INTO sales (id, store_id, register_id, session_id, cashier_id, receipt_seq, receipt_number, status,
         currency, lines, basket_discount, subtotal, discount_total, total, vat, tenders, cash_tendered, change_given,
         completed_at)
       SELECT $1, $2, $3, $4, $5, n, $6::text || lpad(n::text, greatest(6, length(n::text)), '0'), 'completed',
              $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17
         FROM counter
       RETURNING ${SALE_COLUMNS}
     ), head AS (${lockJournalHeadSql("$2")})
     SELECT sale.*, row_to_json(head) AS "journalHead" FROM sale, head`,
    values: [
      s.id,
      s.storeId,
      s.registerId,
      s.sessionId,
      s.cashierId,
      s.receiptPrefix,
      s.currency,
      JSON.stringify(s.lines),
      s.discount === null ? null : JSON.stringify(s.discount),
      s.subtotal,
      s.discountTotal,
      s.total,
      JSON.stringify(s.vat),
      JSON.stringify(s.tenders),
      s.cashTendered,
      s.change,
      s.completedAt,
    ],
  });
  const { journalHead, ...sale } = rows[0]!;
  return { sale: toSale(sale), journalHead: toJournalHead(journalHead) };
}

export async function findSale(db: Queryable, id: string): Promise<retailHttp.Sale | undefined> {
  const { rows } = await db.query({
    name: "sale_find",
    text: `SELECT ${SALE_COLUMNS} FROM sales WHERE id = $1`,
    values: [id],
  });
  return rows[0] && toSale(rows[0]);
}

export async function lockSale(tx: Tx, id: string): Promise<retailHttp.Sale | undefined> {
  const { rows } = await tx.query(`SELECT ${SALE_COLUMNS} FROM sales WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0] && toSale(rows[0]);
}

export interface DocumentFilter {
  storeId?: string | undefined;
  /** Staff of one store see only theirs. */
  onlyStoreId?: string | undefined;
  registerId?: string | undefined;
  cashierId?: string | undefined;
  sessionId?: string | undefined;
  status?: string | undefined;
  saleId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

function whereOf(filter: DocumentFilter, at: string) {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    where.push(sql.replace("?", `$${values.length}`));
  };
  if (filter.onlyStoreId) add("store_id = ?", filter.onlyStoreId);
  if (filter.storeId) add("store_id = ?", filter.storeId);
  if (filter.registerId) add("register_id = ?", filter.registerId);
  if (filter.cashierId) add("cashier_id = ?", filter.cashierId);
  if (filter.sessionId) add("session_id = ?", filter.sessionId);
  if (filter.status) add("status = ?", filter.status);
  if (filter.saleId) add("sale_id = ?", filter.saleId);
  if (filter.from) add(`${at} >= ?`, filter.from);
  if (filter.to) add(`${at} < ?`, filter.to);
  return { clause: where.length ? `WHERE ${where.join(" AND ")}` : "", values };
}

export async function listSales(
  db: Queryable,
  filter: DocumentFilter,
  window: PageWindow,
): Promise<{ rows: retailHttp.Sale[]; total: number }> {
  const { clause, values } = whereOf(filter, "completed_at");
  const n = values.length;
  const page = await selectPage<Record<string, unknown>>(
    db,
    {
      // The sale's own total is read as docTotal: selectPage takes `total` for the count.
      text: `SELECT ${SALE_COLUMNS.replace(" total, vat", ' total AS "docTotal", vat')}, count(*) OVER ()::int AS total FROM sales ${clause}
        ORDER BY completed_at DESC, id DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
      values: [...values, window.limit, window.offset],
    },
    { text: `SELECT count(*)::int AS total FROM sales ${clause}`, values },
    window.offset,
  );
  return { rows: page.rows.map(({ docTotal, ...row }) => toSale({ ...row, total: docTotal })), total: page.total };
}

export async function markVoided(
  tx: Tx,
  id: string,
  v: { by: string; reason: string; refunds: Refund[]; cashRefunded: number; at: Date },
): Promise<retailHttp.Sale> {
  const { rows } = await tx.query(
    `UPDATE sales SET status = 'voided', voided_at = $2, voided_by = $3, void_reason = $4, void_refunds = $5,
        void_cash_refunded = $6
      WHERE id = $1 AND status = 'completed' RETURNING ${SALE_COLUMNS}`,
    [id, v.at, v.by, v.reason, JSON.stringify(v.refunds), v.cashRefunded],
  );
  return toSale(rows[0]!);
}

/** Counts one more reprint of a sale's or a return's receipt; its new count. */
export async function countReprint(tx: Tx, table: "sales" | "returns", id: string): Promise<number> {
  const { rows } = await tx.query<{ reprints: number }>(
    `UPDATE ${table} SET reprints = reprints + 1 WHERE id = $1 RETURNING reprints`,
    [id],
  );
  return rows[0]!.reprints;
}

// ---- store credit ---------------------------------------------------------------------------------

export interface StoreCredit {
  code: string;
  storeId: string;
  amount: number;
  balance: number;
  currency: string;
}

const CREDIT_COLUMNS = `code, store_id AS "storeId", amount::float8 AS amount, balance::float8 AS balance, currency`;

export async function findStoreCredit(db: Queryable, code: string): Promise<StoreCredit | undefined> {
  const { rows } = await db.query<StoreCredit>(`SELECT ${CREDIT_COLUMNS} FROM store_credits WHERE code = $1`, [code]);
  return rows[0];
}

/** Takes `amount` off the store's credit; false when it does not hold that much, or is another store's (nothing changed). */
export async function debitStoreCredit(tx: Tx, storeId: string, code: string, amount: number): Promise<boolean> {
  const { rowCount } = await tx.query(
    "UPDATE store_credits SET balance = balance - $3 WHERE code = $2 AND store_id = $1 AND balance >= $3",
    [storeId, code, amount],
  );
  return rowCount === 1;
}

/** Gives `amount` back to the credit (a return or a void of a sale it paid). */
export async function creditStoreCredit(tx: Tx, code: string, amount: number): Promise<void> {
  await tx.query("UPDATE store_credits SET balance = LEAST(amount, balance + $2) WHERE code = $1", [code, amount]);
}

export async function insertStoreCredit(
  tx: Tx,
  c: { code: string; storeId: string; returnId: string; amount: number; currency: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO store_credits (code, store_id, return_id, amount, balance, currency) VALUES ($1, $2, $3, $4, $4, $5)`,
    [c.code, c.storeId, c.returnId, c.amount, c.currency],
  );
}
