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
 * English), prices, stock flags; and adds their words to the typo vocabulary. Each row it derives
 * is stamped for the change feed (migration 004): its transaction and a new change number.
 *
 * The rows are locked first, in a statement of their own: a concurrent refresh of the same product
 * (a price change and a stock event of another variant, handled in two partitions) commits before
 * the derivation below takes its snapshot, so the last refresh sees every change committed before
 * it. Deriving under the UPDATE's row lock alone would not do: its joins read the statement's
 * snapshot, taken before the other transaction committed, and would write a view that misses it.
 */
export async function refreshProducts(db: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query("SELECT 1 FROM search_products WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE", [ids]);
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
                (SELECT string_agg(o.value, ' ' ORDER BY o.key) FROM jsonb_each_text(v.options) o)), ' '
                ORDER BY v.position, v.id) AS codes
         FROM search_variants v WHERE v.product_id IN (SELECT id FROM target) GROUP BY v.product_id
     ),
     stock AS (
       SELECT v.product_id, bool_or(s.location_kind = 'online' AND s.available > 0) AS online,
              array_agg(DISTINCT s.location_id) FILTER (WHERE s.available > 0) AS locations
         FROM search_variants v JOIN search_stock s ON s.variant_id = v.id
        WHERE v.product_id IN (SELECT id FROM target) GROUP BY v.product_id
     )
     UPDATE search_products p SET
       change_seq = nextval('search_products_changes'),
       change_xid = pg_current_xact_id(),
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

/** Empties the products read model before a replay rebuilds it (in the rebuild's copies). */
export async function clearProducts(db: Queryable): Promise<void> {
  await db.query("TRUNCATE search_products, search_variants, search_stock, search_words");
}

/** A product as the index reads it from the feed (`readChanges`). */
export interface ChangedProduct {
  id: string;
  /** The change's own number (a row read twice is applied once) and the transaction that wrote it. */
  change_seq: string;
  change_xid: string;
  searchable: boolean;
  name: string;
  slug: string;
  brand: string | null;
  category_id: string | null;
  category_path: string[];
  description: string | null;
  min_price: string | null;
  max_price: string | null;
  currency: string | null;
  thumbnail_url: string | null;
  in_stock_online: boolean;
  stock_locations: string[];
  created_at: Date;
  name_key: string;
  /** The document's lexemes, each `lexeme \u0001 weights` (letters A–D), joined by \u0002; null when not searchable. */
  lexemes: string | null;
  /** `[sku, barcode, price]` of each variant; null when not searchable. */
  variants: [string, string | null, string][] | null;
}

/**
 * A page of the change feed: the products written by transactions at or above `since` (a previous
 * read's `next`; "0": all of them), after `after` (the last row of the page before, in the same read),
 * at most `limit`; `next`, the xmin of this read's snapshot (every transaction below it has ended: the
 * next read starts there); and `epoch`, the live products table's identity and storage, which a
 * rebuild's swap or a TRUNCATE (clearProducts) changes (the index then reloads from scratch).
 */
export async function readChanges(
  db: Queryable,
  since: string,
  limit: number,
  after?: { xid: string; id: string },
): Promise<{ epoch: string; next: string; changes: ChangedProduct[] }> {
  const { rows } = await db.query<ChangedProduct & { epoch: string; next: string }>(
    `WITH e AS (SELECT 'search_products'::regclass::oid::text || ':' || pg_relation_filenode('search_products')::text AS epoch,
                       pg_snapshot_xmin(pg_current_snapshot())::text AS next)
     SELECT e.epoch, e.next, c.* FROM e LEFT JOIN LATERAL (
       SELECT p.id, p.change_seq::text AS change_seq, p.change_xid::text AS change_xid, p.searchable, p.name, p.slug,
              p.brand, p.category_id, p.category_path, p.description, p.min_price::text AS min_price,
              p.max_price::text AS max_price, p.currency, p.thumbnail_url, p.in_stock_online, p.stock_locations,
              p.created_at, p.name_key,
              CASE WHEN p.searchable THEN
                (SELECT string_agg(u.lexeme || chr(1) || array_to_string(u.weights, ''), chr(2)) FROM unnest(p.document) u)
              END AS lexemes,
              CASE WHEN p.searchable THEN
                (SELECT json_agg(json_build_array(v.sku, v.barcode, v.price::text) ORDER BY v.position, v.id)
                   FROM search_variants v WHERE v.product_id = p.id)
              END AS variants
         FROM search_products p
        WHERE p.change_xid >= $1::xid8 ${after ? "AND (p.change_xid, p.id) > ($3::xid8, $4::uuid)" : ""}
        ORDER BY p.change_xid, p.id
        LIMIT $2
     ) c ON true`,
    after ? [since, limit, after.xid, after.id] : [since, limit],
  );
  const { epoch, next } = rows[0]!;
  return { epoch, next, changes: rows[0]!.id === null ? [] : rows };
}

/** The categories as the index shows them (facet tree, result paths, suggestions). */
export async function readCategories(
  db: Queryable,
): Promise<{ id: string; parent_id: string | null; name: string; slug: string; position: number; name_key: string }[]> {
  const { rows } = await db.query(
    "SELECT id, parent_id, name, slug, position, name_key FROM search_categories ORDER BY id",
  );
  return rows as never;
}

/** For each word, the known words nearest to it (trigram distance), nearest first. */
export async function nearestWords(
  db: Queryable,
  words: readonly string[],
  limit: number,
): Promise<Map<string, string[]>> {
  const { rows } = await db.query<{ word: string; near: string[] }>(
    `SELECT t.word, ARRAY(SELECT w.word FROM search_words w ORDER BY w.word <-> t.word LIMIT $2) AS near
       FROM unnest($1::text[]) AS t(word)`,
    [words, limit],
  );
  return new Map(rows.map((r) => [r.word, r.near]));
}

/** Each word's tsquery as text (search_word_query: French, English and unstemmed lexemes); null for a stop word. */
export async function wordQueries(db: Queryable, words: readonly string[]): Promise<Map<string, string | null>> {
  const { rows } = await db.query<{ word: string; query: string | null }>(
    "SELECT t.word, search_word_query(t.word)::text AS query FROM unnest($1::text[]) AS t(word)",
    [words],
  );
  return new Map(rows.map((r) => [r.word, r.query]));
}

/** Each text token's lexemes in French, English and unstemmed (what highlights compare to a query's). */
export async function tokenLexemes(db: Queryable, tokens: readonly string[]): Promise<Map<string, string[]>> {
  const { rows } = await db.query<{ token: string; lexemes: string[] }>(
    `SELECT t.token, tsvector_to_array(to_tsvector('search_french', t.token) || to_tsvector('search_english', t.token)
                                       || to_tsvector('search_simple', t.token)) AS lexemes
       FROM unnest($1::text[]) AS t(token)`,
    [tokens],
  );
  return new Map(rows.map((r) => [r.token, r.lexemes]));
}
