import type { Queryable } from "@comptoir/platform";
import type { Order, OrderFilter, OrderStatus } from "../model/order";

const ts = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const COLUMNS = `id, checkout_id AS "checkoutId", customer_id AS "customerId", email, language, channel,
  store_id AS "storeId", pickup_location_id AS "pickupLocationId", status, lines, subtotal, shipping, total,
  vat, currency, shipping_address AS "shippingAddress", reservation_id AS "reservationId", allocation,
  payment_id AS "paymentId", refunded_amount AS "refundedAmount", carrier, tracking_number AS "trackingNumber",
  cancel_reason AS "cancelReason", cancelled_by AS "cancelledBy", ${ts("placed_at")} AS "placedAt",
  ${ts("paid_at")} AS "paidAt", ${ts("shipped_at")} AS "shippedAt", ${ts("delivered_at")} AS "deliveredAt",
  ${ts("cancelled_at")} AS "cancelledAt", ${ts("refunded_at")} AS "refundedAt", ${ts("updated_at")} AS "updatedAt"`;

/** An order row as node-postgres reads it: its bigint amounts arrive as strings. */
type MoneyField = "subtotal" | "shipping" | "total" | "refundedAmount";
type OrderRow = Omit<Order, MoneyField> & Record<MoneyField, string>;

/** Amounts as numbers: exact, since every amount stays below MAX_AMOUNT (contracts' money.ts), far below 2^53. */
const toOrder = (row: OrderRow): Order => ({
  ...row,
  subtotal: Number(row.subtotal),
  shipping: Number(row.shipping),
  total: Number(row.total),
  refundedAmount: Number(row.refundedAmount),
});

/** What checkout's `place` step writes; the rest of an order (status, times, refunds, shipment) comes later. */
export type NewOrder = Pick<
  Order,
  | "id"
  | "checkoutId"
  | "customerId"
  | "email"
  | "language"
  | "pickupLocationId"
  | "storeId"
  | "lines"
  | "subtotal"
  | "shipping"
  | "total"
  | "vat"
  | "currency"
  | "shippingAddress"
  | "reservationId"
  | "allocation"
  | "paymentId"
>;

/** Inserts the order (pending); undefined when it exists already (a step run again). */
export async function insertOrder(tx: Queryable, o: NewOrder): Promise<Order | undefined> {
  const { rows } = await tx.query<OrderRow>(
    `INSERT INTO orders (id, checkout_id, customer_id, email, language, channel, store_id, pickup_location_id,
                         status, lines, subtotal, shipping, total, currency, shipping_address, reservation_id,
                         allocation, payment_id, vat)
     VALUES ($1, $2, $3, $4, $5, 'online', $6, $7, 'pending', $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
     ON CONFLICT (id) DO NOTHING
     RETURNING ${COLUMNS}`,
    [
      o.id,
      o.checkoutId,
      o.customerId,
      o.email,
      o.language,
      o.storeId,
      o.pickupLocationId,
      JSON.stringify(o.lines),
      o.subtotal,
      o.shipping,
      o.total,
      o.currency,
      o.shippingAddress === null ? null : JSON.stringify(o.shippingAddress),
      o.reservationId,
      JSON.stringify(o.allocation),
      o.paymentId,
      JSON.stringify(o.vat),
    ],
  );
  return rows[0] && toOrder(rows[0]);
}

export async function findOrder(db: Queryable, id: string): Promise<Order | undefined> {
  const { rows } = await db.query<OrderRow>({
    name: "order_find",
    text: `SELECT ${COLUMNS} FROM orders WHERE id = $1`,
    values: [id],
  });
  return rows[0] && toOrder(rows[0]);
}

export async function lockOrder(tx: Queryable, id: string): Promise<Order | undefined> {
  const { rows } = await tx.query<OrderRow>({
    name: "order_lock",
    text: `SELECT ${COLUMNS} FROM orders WHERE id = $1 FOR UPDATE`,
    values: [id],
  });
  return rows[0] && toOrder(rows[0]);
}

/** Moves the order to `status`, stamping its time and setting the given fields. */
export async function updateOrder(
  tx: Queryable,
  id: string,
  status: OrderStatus,
  fields: Partial<{
    carrier: string | null;
    trackingNumber: string | null;
    cancelReason: string | null;
    cancelledBy: string | null;
    refundedAmount: number;
  }> = {},
): Promise<Order> {
  const stamp = {
    paid: "paid_at",
    shipped: "shipped_at",
    delivered: "delivered_at",
    cancelled: "cancelled_at",
    refunded: "refunded_at",
  }[status as Exclude<OrderStatus, "pending">];
  const { rows } = await tx.query<OrderRow>(
    `UPDATE orders SET status = $2, ${stamp ? `${stamp} = now(),` : ""}
            carrier = CASE WHEN $3 THEN $4 ELSE carrier END,
            tracking_number = CASE WHEN $3 THEN $5 ELSE tracking_number END,
            cancel_reason = CASE WHEN $6 THEN $7 ELSE cancel_reason END,
            cancelled_by = CASE WHEN $6 THEN $8::uuid ELSE cancelled_by END,
            refunded_amount = coalesce($9, refunded_amount),
            updated_at = now()
      WHERE id = $1
      RETURNING ${COLUMNS}`,
    [
      id,
      status,
      "carrier" in fields || "trackingNumber" in fields,
      fields.carrier ?? null,
      fields.trackingNumber ?? null,
      "cancelReason" in fields || "cancelledBy" in fields,
      fields.cancelReason ?? null,
      fields.cancelledBy ?? null,
      fields.refundedAmount ?? null,
    ],
  );
  return toOrder(rows[0]!);
}

export async function listOrders(
  db: Queryable,
  filter: OrderFilter,
  page: number,
  limit: number,
): Promise<{ data: Order[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace("?", `$${params.length}`));
  };
  if (filter.customerId) add("customer_id = ?", filter.customerId);
  if (filter.status) add("status = ?", filter.status);
  if (filter.channel) add("channel = ?", filter.channel);
  if (filter.storeId) add("store_id = ?", filter.storeId);
  if (filter.from) add("placed_at >= ?", filter.from);
  if (filter.to) add("placed_at < ?", filter.to);
  const clause = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const [list, count] = await Promise.all([
    db.query<OrderRow>(
      `SELECT ${COLUMNS} FROM orders ${clause} ORDER BY placed_at DESC, id DESC
        LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, (page - 1) * limit],
    ),
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM orders ${clause}`, params),
  ]);
  return { data: list.rows.map(toOrder), total: count.rows[0]!.total };
}
