import type { Queryable } from "@comptoir/platform";
import type { CardBrand } from "../domain/card";
import type { PaymentStatus, Refund, StoredPayment } from "../domain/payment";

interface PaymentRow {
  id: string;
  order_id: string;
  status: PaymentStatus;
  amount: string;
  currency: string;
  method: "card";
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
  status: "authorized" | "failed";
  amount: number;
  currency: string;
  brand: CardBrand;
  last4: string;
  provider: string;
  providerReference: string | null;
  failureCode: string | null;
  failureReason: string | null;
  createdBy: string;
}

export async function insertPayment(tx: Queryable, p: NewPayment): Promise<StoredPayment> {
  const { rows } = await tx.query<PaymentRow>(
    `INSERT INTO payments (id, order_id, status, amount, currency, method, brand, last4, provider,
                           provider_reference, failure_code, failure_reason, created_by)
     VALUES ($1, $2, $3, $4, $5, 'card', $6, $7, $8, $9, $10, $11, $12)
     RETURNING *`,
    [
      p.id,
      p.orderId,
      p.status,
      p.amount,
      p.currency,
      p.brand,
      p.last4,
      p.provider,
      p.providerReference,
      p.failureCode,
      p.failureReason,
      p.createdBy,
    ],
  );
  return toPayment(rows[0]!);
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

export async function updatePayment(
  tx: Queryable,
  id: string,
  change: { status: PaymentStatus; capturedAmount?: number; refundedAmount?: number },
): Promise<StoredPayment> {
  const { rows } = await tx.query<PaymentRow>(
    `UPDATE payments
        SET status = $2,
            captured_amount = coalesce($3, captured_amount),
            refunded_amount = coalesce($4, refunded_amount),
            updated_at = now()
      WHERE id = $1
      RETURNING *`,
    [id, change.status, change.capturedAmount ?? null, change.refundedAmount ?? null],
  );
  return toPayment(rows[0]!);
}

export interface PaymentFilter {
  orderId?: string;
  status?: PaymentStatus;
  limit: number;
  offset: number;
}

export async function listPayments(db: Queryable, f: PaymentFilter): Promise<{ data: StoredPayment[]; total: number }> {
  // The page and the total from one statement (one snapshot).
  const { rows } = await db.query<PaymentRow & { total: number }>(
    `SELECT p.*, count(*) OVER ()::int AS total FROM payments p
      WHERE ($1::uuid IS NULL OR p.order_id = $1) AND ($2::text IS NULL OR p.status = $2)
      ORDER BY p.created_at DESC, p.id DESC
      LIMIT $3 OFFSET $4`,
    [f.orderId ?? null, f.status ?? null, f.limit, f.offset],
  );
  let total = rows[0]?.total ?? 0;
  if (rows.length === 0 && f.offset > 0) {
    // Past the last page: the window function saw no row to count.
    const { rows: count } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM payments p
        WHERE ($1::uuid IS NULL OR p.order_id = $1) AND ($2::text IS NULL OR p.status = $2)`,
      [f.orderId ?? null, f.status ?? null],
    );
    total = count[0]!.n;
  }
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

export async function insertRefund(
  tx: Queryable,
  r: {
    id: string;
    paymentId: string;
    amount: number;
    reason: string | null;
    providerReference: string;
    createdBy: string;
  },
): Promise<Refund> {
  const { rows } = await tx.query<RefundRow>(
    `INSERT INTO refunds (id, payment_id, amount, reason, provider_reference, created_by)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
    [r.id, r.paymentId, r.amount, r.reason, r.providerReference, r.createdBy],
  );
  return toRefund(rows[0]!);
}

export async function refundsOf(db: Queryable, paymentId: string): Promise<Refund[]> {
  const { rows } = await db.query<RefundRow>("SELECT * FROM refunds WHERE payment_id = $1 ORDER BY created_at, id", [
    paymentId,
  ]);
  return rows.map(toRefund);
}
