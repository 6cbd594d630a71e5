import type { PageWindow, Queryable } from "@comptoir/platform";
import type { StockStatus } from "../model/stock-status";

/*
 * The stock report's read model (migration 010). Every write takes the instant and id of the event it
 * applies (`Stamp`) and changes a row only if that event is newer than the one that last set it, so a
 * duplicate or an older event changes nothing.
 */

/** The event a write comes from: when inventory or supply made the change, and the event's id. */
export interface Stamp {
  at: string;
  eventId: string;
}

export interface LevelWrite {
  variantId: string;
  locationId: string;
  locationKind: string;
  storeId: string | null;
  onHand: number;
  available: number;
  lowStockThreshold: number | null;
}

/** `(changed_at, changed_by_event)` older than the stamp's: the row may take the event's state. */
const OLDER = (table: string, at: string, id: string) =>
  `(${table}.changed_at, ${table}.changed_by_event) < (${at}::timestamptz, ${id}::uuid)`;

/** Records a (variant, location)'s level after a movement, when the event is newer. */
export async function upsertLevel(db: Queryable, l: LevelWrite, stamp: Stamp): Promise<void> {
  await db.query(
    `INSERT INTO stock_levels AS sl (variant_id, location_id, location_kind, store_id, on_hand, available,
                                     low_stock_threshold, changed_at, changed_by_event)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (variant_id, location_id) DO UPDATE SET location_kind = EXCLUDED.location_kind,
       store_id = EXCLUDED.store_id, on_hand = EXCLUDED.on_hand, available = EXCLUDED.available,
       low_stock_threshold = EXCLUDED.low_stock_threshold, changed_at = EXCLUDED.changed_at,
       changed_by_event = EXCLUDED.changed_by_event
     WHERE ${OLDER("sl", "EXCLUDED.changed_at", "EXCLUDED.changed_by_event")}`,
    [
      l.variantId,
      l.locationId,
      l.locationKind,
      l.storeId,
      l.onHand,
      l.available,
      l.lowStockThreshold,
      stamp.at,
      stamp.eventId,
    ],
  );
}

export interface AlertWrite {
  variantId: string;
  locationId: string;
  locationKind: string;
  storeId: string | null;
  available: number;
  /** The threshold the alert tells of (null: removed). */
  lowStockThreshold: number | null;
  sku: string;
  productName: string;
}

/**
 * Records what an alert tells of a level: available (a reservation may have moved it since the last
 * movement) and the threshold, when the alert is newer; its SKU and product name in any case. A level
 * not known yet is one no movement ever reached (a threshold set on an empty shelf): what is available
 * is all there is on hand.
 */
export async function applyAlert(db: Queryable, a: AlertWrite, stamp: Stamp): Promise<void> {
  await db.query(
    `INSERT INTO stock_levels AS sl (variant_id, location_id, location_kind, store_id, on_hand, available,
                                     low_stock_threshold, sku, product_name, changed_at, changed_by_event)
     VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (variant_id, location_id) DO UPDATE SET sku = EXCLUDED.sku, product_name = EXCLUDED.product_name,
       available = CASE WHEN ${OLDER("sl", "EXCLUDED.changed_at", "EXCLUDED.changed_by_event")}
                        THEN EXCLUDED.available ELSE sl.available END,
       on_hand = CASE WHEN ${OLDER("sl", "EXCLUDED.changed_at", "EXCLUDED.changed_by_event")}
                      THEN greatest(sl.on_hand, EXCLUDED.available) ELSE sl.on_hand END,
       low_stock_threshold = CASE WHEN ${OLDER("sl", "EXCLUDED.changed_at", "EXCLUDED.changed_by_event")}
                                  THEN EXCLUDED.low_stock_threshold ELSE sl.low_stock_threshold END,
       changed_at = greatest(sl.changed_at, EXCLUDED.changed_at),
       changed_by_event = CASE WHEN ${OLDER("sl", "EXCLUDED.changed_at", "EXCLUDED.changed_by_event")}
                               THEN EXCLUDED.changed_by_event ELSE sl.changed_by_event END`,
    [
      a.variantId,
      a.locationId,
      a.locationKind,
      a.storeId,
      a.available,
      a.lowStockThreshold,
      a.sku,
      a.productName,
      stamp.at,
      stamp.eventId,
    ],
  );
}

export interface SupplyRequestWrite {
  requestId: string;
  storeId: string;
  locationId: string;
  status: string;
  stage: number;
  lines: readonly { variantId: string; quantity: number }[];
}

/**
 * Records a replenishment request's state when the event takes it to a later stage, or is newer at the
 * same stage: never back to an earlier one, whatever order its events arrive in.
 */
export async function upsertSupplyRequest(db: Queryable, r: SupplyRequestWrite, stamp: Stamp): Promise<void> {
  await db.query(
    `INSERT INTO stock_supply_requests AS sr (request_id, store_id, location_id, status, stage, lines,
                                              changed_at, changed_by_event)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (request_id) DO UPDATE SET store_id = EXCLUDED.store_id, location_id = EXCLUDED.location_id,
       status = EXCLUDED.status, stage = EXCLUDED.stage, lines = EXCLUDED.lines,
       changed_at = EXCLUDED.changed_at, changed_by_event = EXCLUDED.changed_by_event
     WHERE (sr.stage, sr.changed_at, sr.changed_by_event)
         < (EXCLUDED.stage, EXCLUDED.changed_at, EXCLUDED.changed_by_event)`,
    [r.requestId, r.storeId, r.locationId, r.status, r.stage, JSON.stringify(r.lines), stamp.at, stamp.eventId],
  );
}

export interface StockReportFilter {
  /** One store's locations; null: every location (the warehouse and online included). */
  storeId: string | null;
  status: string | null;
  /** More days of cover than this is overstock. */
  overstockDays: number;
  /** The online channel's time zone. */
  onlineTimeZone: string;
  /** Now: the 28-day sales window ends on its local day (the store's time zone, the online one's). */
  now: string;
}

export interface StockReportDbRow {
  store_id: string | null;
  location_id: string;
  location_kind: "warehouse" | "store" | "online";
  variant_id: string;
  product_id: string | null;
  sku: string | null;
  product_name: string | null;
  on_hand: number;
  available: number;
  low_stock_threshold: number | null;
  units_sold: number;
  incoming: number;
  status: StockStatus;
  changed_at: Date | null;
}

/**
 * The report's rows, problems first: each level (and each (store location, variant) that only has goods
 * on their way), with its units sold over the last 28 days on its channel (a store's sales for a store
 * location, online sales for the online location, none for the warehouse), read from the sales read
 * model's sales_variant_daily (migration 006), and its status (`stock_status`, migration 010). The
 * product and its name come from the sales read model too (reporting_products, migration 001), else
 * from inventory's alerts. A page of them (`window`), or all of them (no window: an export).
 */
export async function readStockReport(
  db: Queryable,
  filter: StockReportFilter,
  window?: PageWindow,
): Promise<{ rows: StockReportDbRow[]; total: number }> {
  const values: unknown[] = [filter.storeId, filter.status, filter.overstockDays, filter.now, filter.onlineTimeZone];
  const paging = window ? `LIMIT $6 OFFSET $7` : "";
  if (window) values.push(window.limit, window.offset);
  const { rows } = await db.query<StockReportDbRow & { total: number }>(
    `WITH incoming AS (
       SELECT r.store_id, r.location_id, l."variantId" AS variant_id, sum(l.quantity)::int AS incoming
         FROM stock_supply_requests r, jsonb_to_recordset(r.lines) AS l("variantId" uuid, quantity int)
        WHERE r.status = 'approved' AND ($1::uuid IS NULL OR r.store_id = $1::uuid)
        GROUP BY 1, 2, 3
     ),
     levels AS (SELECT * FROM stock_levels WHERE $1::uuid IS NULL OR store_id = $1::uuid),
     merged AS (
       SELECT coalesce(s.store_id, i.store_id) AS store_id, coalesce(s.location_id, i.location_id) AS location_id,
              coalesce(s.location_kind, 'store') AS location_kind, coalesce(s.variant_id, i.variant_id) AS variant_id,
              s.sku, s.product_name, coalesce(s.on_hand, 0) AS on_hand, coalesce(s.available, 0) AS available,
              s.low_stock_threshold, coalesce(i.incoming, 0) AS incoming, s.changed_at
         FROM levels s FULL JOIN incoming i ON i.location_id = s.location_id AND i.variant_id = s.variant_id
     ),
     sold AS (
       SELECT d.channel, d.variant_id, sum(d.units_sold)::int AS units
         FROM sales_variant_daily d
         LEFT JOIN reporting_stores st ON d.channel = st.id::text
         CROSS JOIN LATERAL (SELECT ($4::timestamptz AT TIME ZONE CASE d.channel WHEN 'online' THEN $5::text ELSE coalesce(st.timezone, 'UTC') END)::date AS today) t
        WHERE d.day > ($4::timestamptz AT TIME ZONE 'UTC')::date - 29 AND d.day <= ($4::timestamptz AT TIME ZONE 'UTC')::date + 1
          AND d.day > t.today - 28 AND d.day <= t.today
          AND ($1::uuid IS NULL OR d.channel = $1::text)
        GROUP BY 1, 2
     ),
     report AS (
       SELECT m.*, coalesce(sold.units, 0) AS units_sold,
              stock_status(m.available, m.low_stock_threshold, coalesce(sold.units, 0), $3::int) AS status
         FROM merged m
         LEFT JOIN sold ON sold.variant_id = m.variant_id
                       AND sold.channel = CASE m.location_kind WHEN 'store' THEN m.store_id::text
                                                               WHEN 'online' THEN 'online' END
     ),
     page AS (
       SELECT r.*, count(*) OVER ()::int AS total FROM report r
        WHERE $2::text IS NULL OR r.status = $2::text
        ORDER BY r.store_id NULLS LAST,
                 CASE r.status WHEN 'out' THEN 0 WHEN 'low' THEN 1 WHEN 'overstock' THEN 2 ELSE 3 END,
                 r.sku NULLS LAST, r.variant_id, r.location_id
        ${paging}
     )
     SELECT p.store_id, p.location_id, p.location_kind, p.variant_id, v.product_id,
            coalesce(rp.name, p.product_name) AS product_name, p.sku, p.on_hand, p.available, p.low_stock_threshold,
            p.units_sold, p.incoming, p.status, p.changed_at, p.total
       FROM page p
       LEFT JOIN LATERAL (SELECT d.product_id FROM sales_variant_daily d WHERE d.variant_id = p.variant_id LIMIT 1) v
              ON true
       LEFT JOIN reporting_products rp ON rp.id = v.product_id
      ORDER BY p.store_id NULLS LAST,
               CASE p.status WHEN 'out' THEN 0 WHEN 'low' THEN 1 WHEN 'overstock' THEN 2 ELSE 3 END,
               p.sku NULLS LAST, p.variant_id, p.location_id`,
    values,
  );
  if (rows.length === 0 && window && window.offset > 0) {
    // Past the last page no row carries the total: the first row of the first page does.
    const first = await readStockReport(db, filter, { page: 1, limit: 1, offset: 0 });
    return { rows: [], total: first.total };
  }
  return { rows: rows.map(({ total: _total, ...row }) => row), total: rows[0]?.total ?? 0 };
}

/** When the newest event the stock model holds happened; null when it holds none. */
export async function newestEventAt(db: Queryable): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>(
    `SELECT greatest((SELECT max(changed_at) FROM stock_levels), (SELECT max(changed_at) FROM stock_supply_requests)) AS at`,
  );
  return rows[0]?.at ?? null;
}

/** Empties the levels before a replay from the start rebuilds them. */
export async function clearLevels(db: Queryable): Promise<void> {
  await db.query("TRUNCATE stock_levels");
}

/** Empties the replenishment requests before a replay from the start rebuilds them. */
export async function clearSupplyRequests(db: Queryable): Promise<void> {
  await db.query("TRUNCATE stock_supply_requests");
}
