import { type Queryable, selectPage } from "@comptoir/platform";
import type { CardBrand } from "../model/card";
import type { EntryMode, InitialStatus, PaymentStatus, Refund, StoredPayment } from "../model/payment";

interface PaymentRow {
  id: string;
  order_id: string;
  status: PaymentStatus;
  amount: string;
  currency: string;
  method: "card";
  entry_mode: EntryMode;
  brand: CardBrand;
  last4: string;
  provider: string;
  provider_reference: string | null;
  captured_amount: string;
  refunded_amount: string;
  failure_code: string | null;
  failure_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

// bigint columns arrive as strings; amounts stay far below 2^53.
function toPayment(row: PaymentRow): StoredPayment {
  return {
    id: row.id,
    orderId: row.order_id,
    status: row.status,
    amount: Number(row.amount),
    currency: row.currency,
    method: row.method,
    entryMode: row.entry_mode,
    brand: row.brand,
    last4: row.last4,
    capturedAmount: Number(row.captured_amount),
    refundedAmount: Number(row.refunded_amount),
    failureCode: row.failure_code,
    failureReason: row.failure_reason,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    provider: row.provider,
    providerReference: row.provider_reference,
  };
}

export interface NewPayment {
  id: string;
  orderId: string;
  /** `captured` for a payment taken at once (`capture: true`): the whole amount. */
  status: InitialStatus;
  amount: number;
  capturedAmount: number;
  currency: string;
  entryMode: EntryMode;
  brand: CardBrand;
  last4: string;
  provider: string;
  providerReference: string | null;
  failureCode: string | null;
  failureReason: string | null;
  createdBy: string;
}

/**
 * The payment `insertPayment` writes, as it reads back: stamped with `now`, the time of its
 * transaction (what now() gives `created_at` and `updated_at`): no need to read it back.
 */
export function asInserted(p: NewPayment, now: Date): StoredPayment {
  return {
    id: p.id,
    orderId: p.orderId,
    status: p.status,
    amount: p.amount,
    currency: p.currency,
    method: "card",
    entryMode: p.entryMode,
    brand: p.brand,
    last4: p.last4,
    capturedAmount: p.capturedAmount,
    refundedAmount: 0,
    failureCode: p.failureCode,
    failureReason: p.failureReason,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    provider: p.provider,
    providerReference: p.providerReference,
  };
}

/** Writes a new payment. */
export async function insertPayment(tx: Queryable, p: NewPayment): Promise<void> {
  await tx.query(
    `INSERT INTO payments (id, order_id, status, amount, captured_amount, currency, method, brand, last4,
                           provider, provider_reference, failure_code, failure_reason, created_by, entry_mode)
     VALUES ($1, $2, $3, $4, $5, $6, 'card', $7, $8, $9, $10, $11, $12, $13, $14)`,
    [
      p.id,
      p.orderId,
      p.status,
      p.amount,
      p.capturedAmount,
      p.currency,
      p.brand,
      p.last4,
      p.provider,
      p.providerReference,
      p.failureCode,
      p.failureReason,
      p.createdBy,
      p.entryMode,
    ],
  );
}

export async function findPayment(db: Queryable, id: string): Promise<StoredPayment | undefined> {
  const { rows } = await db.query<PaymentRow>("SELECT * FROM payments WHERE id = $1", [id]);
  return rows[0] && toPayment(rows[0]);
}

/** The payment, locked until the end of the transaction: captures, voids and refunds of it take turns. */
export async function lockPayment(tx: Queryable, id: string): Promise<StoredPayment | undefined> {
  const { rows } = await tx.query<PaymentRow>("SELECT * FROM payments WHERE id = $1 FOR UPDATE", [id]);
  return rows[0] && toPayment(rows[0]);
}

/**
 * What a change of an authorized payment found: `applied`, the payment changed; otherwise the
 * payment as it is, for the domain to say why not (or that it was done before). Either way its row
 * is locked until the end of the transaction, as by lockPayment.
 */
export interface GuardedChange {
  applied: boolean;
  payment: StoredPayment;
}

/**
 * Runs a guarded change: a WITH query `changed` (an UPDATE … RETURNING * of one authorized payment)
 * and, when it did not apply, `as_is`: the payment locked FOR UPDATE, which waits for a change in
 * progress and reads its outcome. `as_is` reads nothing once `changed` has a row, so the row is
 * updated, or locked, never both. One statement: one snapshot, one round trip.
 */
async function guardedChange(tx: Queryable, changed: string, values: unknown[]): Promise<GuardedChange | undefined> {
  const { rows } = await tx.query<PaymentRow & { applied: boolean }>(
    `WITH changed AS (${changed}),
          as_is AS (SELECT * FROM payments WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM changed) FOR UPDATE)
     SELECT true AS applied, * FROM changed
     UNION ALL
     SELECT false, * FROM as_is`,
    values,
  );
  const row = rows[0];
  return row && { applied: row.applied, payment: toPayment(row) };
}

/**
 * Captures `amount` of an authorized payment (default: all of it) if it is at most what was
 * authorized: planCapture's rule for a payment it captures, checked in the UPDATE that locks the
 * row. undefined when there is no such payment.
 */
export function captureIfAuthorized(
  tx: Queryable,
  id: string,
  amount: number | undefined,
): Promise<GuardedChange | undefined> {
  return guardedChange(
    tx,
    `UPDATE payments SET status = 'captured', captured_amount = coalesce($2, amount), updated_at = now()
      WHERE id = $1 AND status = 'authorized' AND coalesce($2, amount) <= amount
      RETURNING *`,
    [id, amount ?? null],
  );
}

/** Voids an authorized payment (planVoid's rule). undefined when there is no such payment. */
export function voidIfAuthorized(tx: Queryable, id: string): Promise<GuardedChange | undefined> {
  return guardedChange(
    tx,
    `UPDATE payments SET status = 'voided', updated_at = now()
      WHERE id = $1 AND status = 'authorized'
      RETURNING *`,
    [id],
  );
}

export interface PaymentFilter {
  orderId?: string;
  status?: PaymentStatus;
  limit: number;
  offset: number;
}

export async function listPayments(db: Queryable, f: PaymentFilter): Promise<{ data: StoredPayment[]; total: number }> {
  const where = `($1::uuid IS NULL OR p.order_id = $1) AND ($2::text IS NULL OR p.status = $2)`;
  const params = [f.orderId ?? null, f.status ?? null];
  const { rows, total } = await selectPage<PaymentRow>(
    db,
    {
      text: `SELECT p.*, count(*) OVER ()::int AS total FROM payments p
              WHERE ${where} ORDER BY p.created_at DESC, p.id DESC LIMIT $3 OFFSET $4`,
      values: [...params, f.limit, f.offset],
    },
    { text: `SELECT count(*)::int AS total FROM payments p WHERE ${where}`, values: params },
    f.offset,
  );
  return { data: rows.map(toPayment), total };
}

interface RefundRow {
  id: string;
  payment_id: string;
  amount: string;
  reason: string | null;
  created_at: Date;
}

const toRefund = (row: RefundRow): Refund => ({
  id: row.id,
  paymentId: row.payment_id,
  amount: Number(row.amount),
  reason: row.reason,
  createdAt: row.created_at.toISOString(),
});

export interface NewRefund {
  id: string;
  paymentId: string;
  amount: number;
  reason: string | null;
  providerReference: string;
  createdBy: string;
}

/** The refund `recordRefund` writes, as it reads back: stamped with `now`, its transaction's time. */
export const refundAsInserted = (r: NewRefund, now: Date): Refund => ({
  id: r.id,
  paymentId: r.paymentId,
  amount: r.amount,
  reason: r.reason,
  createdAt: now.toISOString(),
});

/**
 * Records a refund in one statement: the refund, and the payment's new status and refunded total.
 * Answers the payment as changed.
 */
export async function recordRefund(
  tx: Queryable,
  r: NewRefund,
  payment: { status: PaymentStatus; refundedAmount: number },
): Promise<StoredPayment> {
  const { rows } = await tx.query<PaymentRow>(
    `WITH refund AS (
            INSERT INTO refunds (id, payment_id, amount, reason, provider_reference, created_by)
            VALUES ($1, $2, $3, $4, $5, $6)
          )
     UPDATE payments SET status = $7, refunded_amount = $8, updated_at = now()
      WHERE id = $2
      RETURNING *`,
    [r.id, r.paymentId, r.amount, r.reason, r.providerReference, r.createdBy, payment.status, payment.refundedAmount],
  );
  return toPayment(rows[0]!);
}

export async function refundsOf(db: Queryable, paymentId: string): Promise<Refund[]> {
  const { rows } = await db.query<RefundRow>("SELECT * FROM refunds WHERE payment_id = $1 ORDER BY created_at, id", [
    paymentId,
  ]);
  return rows.map(toRefund);
}
