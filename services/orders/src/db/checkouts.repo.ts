import type { Queryable } from "@comptoir/platform";
import type { Checkout } from "../model/checkout";

const COLUMNS = `id, scope, fingerprint, order_id AS "orderId", status, problem`;

/** Records a new checkout; undefined when the caller already used this key (the existing one is then read). */
export async function insertCheckout(
  tx: Queryable,
  c: { id: string; scope: string; key: string; fingerprint: string; orderId: string },
): Promise<boolean> {
  const { rowCount } = await tx.query({
    name: "checkout_insert",
    text: `INSERT INTO checkouts (id, scope, idempotency_key, fingerprint, order_id, status)
     VALUES ($1, $2, $3, $4, $5, 'running')
     ON CONFLICT (scope, idempotency_key) DO NOTHING`,
    values: [c.id, c.scope, c.key, c.fingerprint, c.orderId],
  });
  return rowCount === 1;
}

/** This database's key for checkout fingerprints (created by migration 002). */
export async function fingerprintKey(db: Queryable): Promise<Buffer> {
  const { rows } = await db.query<{ key: Buffer }>("SELECT key FROM checkout_fingerprint_key");
  if (!rows[0]) throw new Error("checkout_fingerprint_key is empty: migration 002 has not run");
  return rows[0].key;
}

export async function findByKey(db: Queryable, scope: string, key: string): Promise<Checkout | undefined> {
  const { rows } = await db.query<Checkout>({
    name: "checkout_by_key",
    text: `SELECT ${COLUMNS} FROM checkouts WHERE scope = $1 AND idempotency_key = $2`,
    values: [scope, key],
  });
  return rows[0];
}

export async function findCheckout(db: Queryable, id: string): Promise<Checkout | undefined> {
  const { rows } = await db.query<Checkout>({
    name: "checkout_find",
    text: `SELECT ${COLUMNS} FROM checkouts WHERE id = $1`,
    values: [id],
  });
  return rows[0];
}

/** The checkout of an order, if it is still running (an order cannot be cancelled under it). */
export async function runningCheckoutOf(db: Queryable, orderId: string): Promise<boolean> {
  const { rows } = await db.query("SELECT 1 FROM checkouts WHERE order_id = $1 AND status = 'running'", [orderId]);
  return rows.length > 0;
}

/** Ends a running checkout; its duration from its start, or undefined when it had already ended. */
export async function finishCheckout(
  tx: Queryable,
  id: string,
  outcome: { status: "completed" } | { status: "failed"; problem: Record<string, unknown> },
): Promise<{ seconds: number } | undefined> {
  const { rows } = await tx.query<{ seconds: number }>(
    `UPDATE checkouts SET status = $2, problem = $3, finished_at = now() WHERE id = $1 AND status = 'running'
     RETURNING extract(epoch FROM finished_at - created_at)::float8 AS seconds`,
    [id, outcome.status, outcome.status === "failed" ? JSON.stringify(outcome.problem) : null],
  );
  return rows[0];
}
