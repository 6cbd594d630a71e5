import type { Queryable } from "@comptoir/platform";

/*
 * The products read model's writes: each takes the instant and id of the event it applies (`Stamp`) and
 * changes a row only if that event is newer than the one that last set it, so a duplicate or an older
 * event changes nothing. `refreshProducts` then derives what searches read (document, path, prices,
 * stock flags) from the rows, whatever order they arrived in.
 */

/** The event a write comes from: when catalog or inventory made the change, and the event's id. */
export interface Stamp {
  at: string;
  eventId: string;
}

export interface ProductRow {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  brand: string | null;
  status: string;
  categoryId: string;
  attributes: Record<string, string>;
  thumbnailUrl: string | null;
}

export interface VariantRow {
  id: string;
  productId: string;
  sku: string;
  barcode: string | null;
  options: Record<string, string>;
  price: number;
  compareAtPrice: number | null;
  currency: string;
  position: number;
}

export interface StockRow {
  variantId: string;
  locationId: string;
  locationKind: string;
  storeId: string | null;
  onHand: number;
  available: number;
}

/*
 * Handlers of different subjects run concurrently, each in its transaction; under READ COMMITTED one
 * would not see what another has not committed yet, and a stock level handled at the same time as its
 * variant's product (or a product at the same time as its category) would be counted by neither. So
 * each waits for the other: a category change holds the category lock exclusively, product and variant
 * changes hold it shared; a variant's writes and its stock's hold the variant's lock.
 */
const CATEGORIES_LOCK = "search_categories";

/** Waits for category changes in flight (shared: product changes do not wait for each other). */
export async function lockCategoriesShared(db: Queryable): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))", [CATEGORIES_LOCK]);
}

/** Waits for every product change in flight, and holds them off until the transaction ends. */
export async function lockCategoriesExclusive(db: Queryable): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [CATEGORIES_LOCK]);
}

/** Holds these variants (in a fixed order) until the transaction ends. */
export async function lockVariants(db: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    "SELECT pg_advisory_xact_lock(hashtextextended('search_variant:' || id, 0)) FROM unnest($1::text[]) AS id ORDER BY id",
    [[...ids].sort()],
  );
}

/** `(changed_at, changed_by_event)` older than the stamp's: the row may take the event's state. */
const OLDER = (table: string, at: string, id: string) =>
  `(${table}.changed_at, ${table}.changed_by_event) < (${at}::timestamptz, ${id}::uuid)`;

/** Inserts or replaces the product's fields when the event is newer; true if it did. */
export async function upsertProduct(db: Queryable, p: ProductRow, stamp: Stamp, created: boolean): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO search_products AS sp (id, name, slug, description, brand, status, category_id, attributes,
                                        thumbnail_url, created_at, changed_at, changed_by_event)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11)
     ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, slug = EXCLUDED.slug, description = EXCLUDED.description,
       brand = EXCLUDED.brand, status = EXCLUDED.status, category_id = EXCLUDED.category_id,
       attributes = EXCLUDED.attributes, thumbnail_url = EXCLUDED.thumbnail_url,
       changed_at = EXCLUDED.changed_at, changed_by_event = EXCLUDED.changed_by_event
     WHERE ${OLDER("sp", "EXCLUDED.changed_at", "EXCLUDED.changed_by_event")}`,
    [
      p.id,
      p.name,
      p.slug,
      p.description,
      p.brand,
      p.status,
      p.categoryId,
      JSON.stringify(p.attributes),
      p.thumbnailUrl,
      stamp.at,
      stamp.eventId,
    ],
  );
  // The creation instant is the created event's, whichever arrived first.
  await db.query(
    `UPDATE search_products SET created_at = $2 WHERE id = $1 AND ($3 OR created_at > $2::timestamptz)
       AND created_at IS DISTINCT FROM $2::timestamptz`,
    [p.id, stamp.at, created],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Archives the product when the event is newer. A product not known yet is recorded archived (no
 * category), so that its older created event, arriving later, cannot make it searchable.
 */
export async function archiveProduct(
  db: Queryable,
  p: { id: string; name: string; slug: string },
  stamp: Stamp,
): Promise<void> {
  await db.query(
    `INSERT INTO search_products AS sp (id, name, slug, status, created_at, changed_at, changed_by_event)
     VALUES ($1, $2, $3, 'archived', $4, $4, $5)
     ON CONFLICT (id) DO UPDATE SET status = 'archived', changed_at = EXCLUDED.changed_at,
       changed_by_event = EXCLUDED.changed_by_event
     WHERE ${OLDER("sp", "EXCLUDED.changed_at", "EXCLUDED.changed_by_event")}`,
    [p.id, p.name, p.slug, stamp.at, stamp.eventId],
  );
}

/** Inserts or replaces variants when the event is newer than what set each of them. */
export async function upsertVariants(db: Queryable, variants: readonly VariantRow[], stamp: Stamp): Promise<void> {
  if (variants.length === 0) return;
  await db.query(
    `INSERT INTO search_variants AS sv (id, product_id, sku, barcode, options, price, compare_at_price, currency,
                                        position, changed_at, changed_by_event)
     SELECT v.id, v."productId", v.sku, v.barcode, coalesce(v.options, '{}'), v.price, v."compareAtPrice", v.currency,
            v.position, $2, $3
       FROM jsonb_to_recordset($1::jsonb) AS v(id uuid, "productId" uuid, sku text, barcode text, options jsonb,
                                              price bigint, "compareAtPrice" bigint, currency text, position int)
     ON CONFLICT (id) DO UPDATE SET product_id = EXCLUDED.product_id, sku = EXCLUDED.sku, barcode = EXCLUDED.barcode,
       options = EXCLUDED.options, price = EXCLUDED.price, compare_at_price = EXCLUDED.compare_at_price,
       currency = EXCLUDED.currency, position = EXCLUDED.position, changed_at = EXCLUDED.changed_at,
       changed_by_event = EXCLUDED.changed_by_event
     WHERE ${OLDER("sv", "EXCLUDED.changed_at", "EXCLUDED.changed_by_event")}`,
    [JSON.stringify(variants), stamp.at, stamp.eventId],
  );
}

/** Drops the product's variants a full snapshot no longer lists (those older than it). */
export async function dropOtherVariants(
  db: Queryable,
  productId: string,
  keep: readonly string[],
  stamp: Stamp,
): Promise<void> {
  await db.query(
    `DELETE FROM search_variants sv WHERE sv.product_id = $1 AND sv.id <> ALL($2::uuid[])
       AND ${OLDER("sv", "$3", "$4")}`,
    [productId, keep, stamp.at, stamp.eventId],
  );
}

/** Sets a variant's price when the event is newer; the product to refresh, or null if unknown. */
export async function changePrice(
  db: Queryable,
  change: { variantId: string; price: number; currency: string },
  stamp: Stamp,
): Promise<string | null> {
  const { rows } = await db.query<{ product_id: string }>(
    `UPDATE search_variants sv SET price = $2, currency = $3, changed_at = $4, changed_by_event = $5
      WHERE sv.id = $1 AND ${OLDER("sv", "$4", "$5")} RETURNING product_id`,
    [change.variantId, change.price, change.currency, stamp.at, stamp.eventId],
  );
  return rows[0]?.product_id ?? null;
}

/** Records a (variant, location)'s level when the event is newer; the variant's product, if known. */
export async function upsertStock(db: Queryable, s: StockRow, stamp: Stamp): Promise<string | null> {
  await db.query(
    `INSERT INTO search_stock AS ss (variant_id, location_id, location_kind, store_id, on_hand, available,
                                     changed_at, changed_by_event)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (variant_id, location_id) DO UPDATE SET location_kind = EXCLUDED.location_kind,
       store_id = EXCLUDED.store_id, on_hand = EXCLUDED.on_hand, available = EXCLUDED.available,
       changed_at = EXCLUDED.changed_at, changed_by_event = EXCLUDED.changed_by_event
     WHERE ${OLDER("ss", "EXCLUDED.changed_at", "EXCLUDED.changed_by_event")}`,
    [s.variantId, s.locationId, s.locationKind, s.storeId, s.onHand, s.available, stamp.at, stamp.eventId],
  );
  const { rows } = await db.query<{ product_id: string }>("SELECT product_id FROM search_variants WHERE id = $1", [
    s.variantId,
  ]);
  return rows[0]?.product_id ?? null;
}

/** The products in a category or under it (by the categories known now). */
export async function productsUnderCategory(db: Queryable, categoryId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `WITH RECURSIVE under AS (
       SELECT $1::uuid AS id, 0 AS depth
       UNION ALL
       SELECT c.id, under.depth + 1 FROM search_categories c JOIN under ON c.parent_id = under.id WHERE under.depth < 32
     )
     SELECT p.id FROM search_products p
      WHERE p.category_id IN (SELECT id FROM under) OR p.category_path @> ARRAY[$1::uuid]`,
    [categoryId],
  );
  return rows.map((r) => r.id);
}

/**
 * Derives what searches read from the products' rows, their variants, their category's path and their
 * stock: searchable (active, in a known category, with a variant), the weighted document (name A;
 * brand and category path B; SKUs, barcodes and option values C; description D; in French and in
 * English), prices, stock flags; and adds their words to the typo vocabulary.
 */
export async function refreshProducts(db: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await bumpGeneration(db);
  await db.query(
    `WITH RECURSIVE target AS (SELECT DISTINCT unnest($1::uuid[]) AS id),
     up AS (
       SELECT p.id AS product_id, c.id, c.parent_id, c.name, 0 AS depth
         FROM target t JOIN search_products p ON p.id = t.id JOIN search_categories c ON c.id = p.category_id
       UNION ALL
       SELECT up.product_id, c.id, c.parent_id, c.name, up.depth + 1
         FROM up JOIN search_categories c ON c.id = up.parent_id WHERE up.depth < 32
     ),
     path AS (
       SELECT product_id, array_agg(id ORDER BY depth DESC) AS ids, string_agg(name, ' ' ORDER BY depth DESC) AS names
         FROM up GROUP BY product_id
     ),
     prices AS (
       SELECT v.product_id, min(v.price) AS min_price, max(v.price) AS max_price, min(v.currency) AS currency,
              string_agg(concat_ws(' ', v.sku, v.barcode,
                (SELECT string_agg(o.value, ' ') FROM jsonb_each_text(v.options) o)), ' ') AS codes
         FROM search_variants v WHERE v.product_id IN (SELECT id FROM target) GROUP BY v.product_id
     ),
     stock AS (
       SELECT v.product_id, bool_or(s.location_kind = 'online' AND s.available > 0) AS online,
              array_agg(DISTINCT s.location_id) FILTER (WHERE s.available > 0) AS locations
         FROM search_variants v JOIN search_stock s ON s.variant_id = v.id
        WHERE v.product_id IN (SELECT id FROM target) GROUP BY v.product_id
     )
     UPDATE search_products p SET
       category_path = coalesce(path.ids, '{}'),
       category_names = coalesce(path.names, ''),
       name_key = search_key(p.name),
       min_price = prices.min_price,
       max_price = prices.max_price,
       currency = prices.currency,
       in_stock_online = coalesce(stock.online, false),
       stock_locations = coalesce(stock.locations, '{}'),
       searchable = p.status = 'active' AND path.ids IS NOT NULL AND prices.min_price IS NOT NULL,
       document =
         setweight(to_tsvector('search_french', p.name), 'A') ||
         setweight(to_tsvector('search_english', p.name), 'A') ||
         setweight(to_tsvector('search_french', concat_ws(' ', p.brand, path.names)), 'B') ||
         setweight(to_tsvector('search_english', concat_ws(' ', p.brand, path.names)), 'B') ||
         setweight(to_tsvector('search_simple', coalesce(prices.codes, '')), 'C') ||
         setweight(to_tsvector('search_french', coalesce(p.description, '')), 'D') ||
         setweight(to_tsvector('search_english', coalesce(p.description, '')), 'D')
     FROM target t
       LEFT JOIN path ON path.product_id = t.id
       LEFT JOIN prices ON prices.product_id = t.id
       LEFT JOIN stock ON stock.product_id = t.id
     WHERE p.id = t.id`,
    [ids],
  );
  await db.query(
    `INSERT INTO search_words (word)
     SELECT DISTINCT w FROM search_products p,
            regexp_split_to_table(btrim(search_key(concat_ws(' ', p.name, p.brand, p.category_names))), ' ') AS w
      WHERE p.id = ANY($1::uuid[]) AND p.searchable AND length(w) >= 3 AND w !~ '^[0-9]+$'
     ON CONFLICT DO NOTHING`,
    [ids],
  );
}

/** Empties the products read model before a replay rebuilds it. */
export async function clearProducts(db: Queryable): Promise<void> {
  await db.query("TRUNCATE search_products, search_variants, search_stock, search_words");
  await bumpGeneration(db);
}

/** Marks the read model changed: what was derived from it before (cached facet counts) is out of date. */
async function bumpGeneration(db: Queryable): Promise<void> {
  await db.query("SELECT nextval('search_products_generation')");
}

/** The read model's generation: it changes whenever a product's searchable state may have changed. */
export async function productsGeneration(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ g: string }>("SELECT last_value::text AS g FROM search_products_generation");
  return rows[0]!.g;
}
