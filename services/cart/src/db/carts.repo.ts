import type { Queryable } from "@comptoir/platform";
import type { Cart, CartLine, RecentKey } from "../model/cart";

interface CartRow {
  id: string;
  customer_id: string | null;
  token_hash: string | null;
  items: CartLine[];
  order_ids: string[];
  recent_keys: RecentKey[];
  created_at: Date;
  updated_at: Date;
  expires_at: Date;
}

const toCart = (row: CartRow): Cart => ({
  id: row.id,
  customerId: row.customer_id,
  tokenHash: row.token_hash,
  items: row.items,
  orderIds: row.order_ids,
  recentKeys: row.recent_keys,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
  expiresAt: row.expires_at.toISOString(),
});

const params = (cart: Cart) => [
  cart.id,
  cart.customerId,
  cart.tokenHash,
  JSON.stringify(cart.items),
  cart.orderIds,
  cart.createdAt,
  cart.updatedAt,
  cart.expiresAt,
  JSON.stringify(cart.recentKeys),
];

/** The live cart (not expired at `now`), locked until the transaction ends when `lock`. */
export async function findCart(db: Queryable, id: string, now: Date, lock = false): Promise<Cart | undefined> {
  const { rows } = await db.query<CartRow>(
    `SELECT * FROM carts WHERE id = $1 AND expires_at > $2 ${lock ? "FOR UPDATE" : ""}`,
    [id, now],
  );
  return rows[0] && toCart(rows[0]);
}

/**
 * The live cart with its row version (PostgreSQL's xmin: it changes with every write of the row),
 * for a compare-and-set with `saveCartIf`.
 */
export async function findCartVersion(
  db: Queryable,
  id: string,
  now: Date,
): Promise<{ cart: Cart; version: string } | undefined> {
  const { rows } = await db.query<CartRow & { version: string }>(
    "SELECT *, xmin::text AS version FROM carts WHERE id = $1 AND expires_at > $2",
    [id, now],
  );
  return rows[0] && { cart: toCart(rows[0]), version: rows[0].version };
}

export async function findCustomerCart(db: Queryable, customerId: string, now: Date): Promise<Cart | undefined> {
  const { rows } = await db.query<CartRow>("SELECT * FROM carts WHERE customer_id = $1 AND expires_at > $2", [
    customerId,
    now,
  ]);
  return rows[0] && toCart(rows[0]);
}

/**
 * Locks the live cart `id` and the customer's live cart, in id order (two associations touching the
 * same carts cannot deadlock).
 */
export async function lockForAssociation(db: Queryable, id: string, customerId: string, now: Date): Promise<Cart[]> {
  const { rows } = await db.query<CartRow>(
    `SELECT * FROM carts WHERE (id = $1 OR customer_id = $2) AND expires_at > $3 ORDER BY id FOR UPDATE`,
    [id, customerId, now],
  );
  return rows.map(toCart);
}

/** Inserts the cart; false when the customer already has a cart (the unique index), or its id is taken. */
export async function insertCart(db: Queryable, cart: Cart): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO carts (id, customer_id, token_hash, items, order_ids, created_at, updated_at, expires_at, recent_keys)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
    params(cart),
  );
  return rowCount === 1;
}

export async function saveCart(db: Queryable, cart: Cart): Promise<Cart> {
  const { rows } = await db.query<CartRow>(
    `UPDATE carts SET customer_id = $2, token_hash = $3, items = $4, order_ids = $5, created_at = $6,
            updated_at = $7, expires_at = $8, recent_keys = $9
      WHERE id = $1 RETURNING *`,
    params(cart),
  );
  return toCart(rows[0]!);
}

/** Saves the cart only if its row is still at `version` (nobody wrote it since it was read); else undefined. */
export async function saveCartIf(db: Queryable, cart: Cart, version: string): Promise<Cart | undefined> {
  const { rows } = await db.query<CartRow>(
    `UPDATE carts SET customer_id = $2, token_hash = $3, items = $4, order_ids = $5, created_at = $6,
            updated_at = $7, expires_at = $8, recent_keys = $9
      WHERE id = $1 AND xmin = $10::text::xid RETURNING *`,
    [...params(cart), version],
  );
  return rows[0] && toCart(rows[0]);
}

export async function deleteCart(db: Queryable, id: string): Promise<void> {
  await db.query("DELETE FROM carts WHERE id = $1", [id]);
}

/** Frees an id held by an expired cart (a guest cart whose id is derived from an Idempotency-Key). */
export async function deleteExpiredCart(db: Queryable, id: string, now: Date): Promise<void> {
  await db.query("DELETE FROM carts WHERE id = $1 AND expires_at <= $2", [id, now]);
}

/** Frees a customer's slot held by an expired cart. */
export async function deleteExpiredCustomerCart(db: Queryable, customerId: string, now: Date): Promise<void> {
  await db.query("DELETE FROM carts WHERE customer_id = $1 AND expires_at <= $2", [customerId, now]);
}

/** Deletes up to `limit` expired carts; returns how many. */
export async function deleteExpired(db: Queryable, now: Date, limit: number): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM carts WHERE id IN (SELECT id FROM carts WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [now, limit],
  );
  return rowCount ?? 0;
}
