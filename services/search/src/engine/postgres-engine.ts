import type { Db } from "@comptoir/platform";
import { productsGeneration } from "../db/products.repo";
import { categoryTree, type CountedCategory } from "../model/facets";
import { corrections, highlight, PRICE_RANGES } from "../model/query";
import type { SearchEngine, SearchHit, SearchQuery, SearchResult, Suggestion } from "./search-engine";

/*
 * The search engine on PostgreSQL: the read model's tables (db/migrations/002_products.sql), full text
 * with the search_french/search_english configurations (unaccented, stemmed), pg_trgm for typos and
 * suggestions. Queries are built from words model/query.ts extracted (letters and digits only), passed
 * as parameters: nothing typed is ever parsed as tsquery syntax.
 */

/** Known words fetched per unknown query word, nearest first, to pick its corrections from. */
const NEAREST_WORDS = 12;
/** A description up to this long is shown whole, marked; a longer one as up to two marked fragments. */
const WHOLE_DESCRIPTION = 200;
/** Result weights of the document's parts: D (description), C (codes), B (brand, category), A (name). */
const WEIGHTS = "{0.1, 0.2, 0.4, 1.0}";

/** For each query word no product matches, the known words it is likely a typo of. */
async function correct(db: Db, words: readonly string[]): Promise<string[][]> {
  const { rows } = await db.query<{ word: string; near: string[] }>(
    `SELECT t.word, ARRAY(SELECT w.word FROM search_words w ORDER BY w.word <-> t.word LIMIT $2) AS near
       FROM unnest($1::text[]) AS t(word)
      WHERE length(t.word) >= 4
        AND NOT EXISTS (SELECT 1 FROM search_words w WHERE w.word = t.word)
        AND NOT EXISTS (SELECT 1 FROM search_products p WHERE p.searchable AND p.document @@ search_word_query(t.word))`,
    [words, NEAREST_WORDS],
  );
  const fixes = new Map(rows.map((r) => [r.word, corrections(r.word, r.near)]));
  return words.map((w) => [w, ...(fixes.get(w) ?? [])]);
}

/** Whether some variant has this SKU (any case) or barcode. */
async function isCode(db: Db, code: string): Promise<boolean> {
  const { rows } = await db.query(
    "SELECT 1 FROM search_variants WHERE lower(sku) = lower($1::text) OR barcode = $1::text LIMIT 1",
    [code],
  );
  return rows.length > 0;
}

interface Filters {
  params: unknown[];
  /** The CTE `hits`: every matching searchable product, with by_code, exact, rank, matched_code. */
  cte: string;
  /** The CTE `hits` with only what facets count (no rank, no text): cheaper on large result sets. */
  facetCte: string;
}

/**
 * The matching products as CTEs, and their parameters ($1…$9); the caller adds its own after them.
 * Only the filters given are written into the SQL: a condition like `$4 IS NULL OR …` or `… OR code
 * matched` would keep the planner from using that filter's index (a text search would read every row).
 */
function hits(query: SearchQuery, groups: string[][] | null, byCode: boolean): Filters {
  const exact = query.words.length > 0 ? JSON.stringify(query.words.map((w) => [w])) : null;
  const where = ["p.searchable"];
  if (groups !== null)
    where.push(
      byCode
        ? `p.id IN (SELECT m.id FROM search_products m WHERE m.searchable AND m.document @@ search_query($1::jsonb)
                     UNION ALL SELECT product_id FROM codes)`
        : "p.document @@ search_query($1::jsonb)",
    );
  if (query.category !== undefined) where.push("p.category_path @> ARRAY[$4::uuid]");
  if (query.brand !== undefined) where.push("lower(p.brand) = lower($5::text)");
  if (query.minPrice !== undefined || query.maxPrice !== undefined)
    where.push(`EXISTS (SELECT 1 FROM search_variants v WHERE v.product_id = p.id
                   AND v.price >= coalesce($6::bigint, 0) AND v.price <= coalesce($7::bigint, 9223372036854775807))`);
  if (query.inStock === true)
    where.push(query.locationId === undefined ? "p.in_stock_online" : "p.stock_locations @> ARRAY[$9::uuid]");
  // Every parameter is referenced (typed) whether its filter is written or not.
  const typed = `($2::jsonb, $3::text, $4::uuid, $5::text, $6::bigint, $7::bigint, $8::boolean, $9::uuid) IS NOT NULL OR true`;
  const codes = byCode
    ? `codes AS (
        SELECT DISTINCT ON (product_id) product_id,
               CASE WHEN lower(sku) = lower($3::text) THEN sku ELSE barcode END AS code
          FROM search_variants
         WHERE lower(sku) = lower($3::text) OR barcode = $3::text
         ORDER BY product_id, (lower(sku) = lower($3::text)) DESC
      ),`
    : "";
  const from = byCode ? "search_products p LEFT JOIN codes ON codes.product_id = p.id" : "search_products p";
  const conditions = `${where.join("\n           AND ")}\n           AND (${typed}) AND ($1::jsonb IS NULL OR true)`;
  return {
    params: [
      groups ? JSON.stringify(groups) : null,
      exact,
      query.code,
      query.category ?? null,
      query.brand ?? null,
      query.minPrice ?? null,
      query.maxPrice ?? null,
      query.inStock ?? false,
      query.locationId ?? null,
    ],
    cte: `${codes}
      hits AS (
        SELECT p.id, p.name, p.slug, p.brand, p.category_id, p.category_path, p.description, p.min_price,
               p.max_price, p.currency, p.thumbnail_url, p.in_stock_online, p.stock_locations, p.created_at,
               ${byCode ? "codes.code" : "NULL::text"} AS matched_code,
               ${byCode ? "codes.code IS NOT NULL" : "false"} AS by_code,
               coalesce(p.document @@ search_query($2::jsonb), false) AS exact,
               coalesce(ts_rank('${WEIGHTS}', p.document, search_query($1::jsonb)), 0) AS rank
          FROM ${from}
         WHERE ${conditions}
      )`,
    facetCte: `${codes}
      hits AS MATERIALIZED (
        SELECT p.id, p.brand, p.category_path, p.min_price, p.in_stock_online, p.stock_locations
          FROM ${from}
         WHERE ${conditions}
      )`,
  };
}

const ORDER: Record<SearchQuery["sort"], string> = {
  relevance: "by_code DESC, exact DESC, rank DESC, created_at DESC, id DESC",
  price_asc: "min_price ASC, id ASC",
  price_desc: "min_price DESC, id DESC",
  newest: "created_at DESC, id DESC",
};

interface HitRow {
  id: string;
  name: string;
  slug: string;
  brand: string | null;
  category_id: string;
  category_path: { id: string; name: string }[];
  min_price: string;
  max_price: string;
  currency: string;
  thumbnail_url: string | null;
  in_stock_online: boolean;
  at_location: boolean | null;
  created_at: Date;
  matched_code: string | null;
  name_headline: string | null;
  description_headline: string | null;
}

interface FacetRow {
  total: number;
  categories: CountedCategory[] | null;
  brands: { brand: string; count: number }[] | null;
  prices: number[];
  online: number;
  at_location: number;
}

function toHit(row: HitRow, query: SearchQuery): SearchHit {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    brand: row.brand,
    categoryId: row.category_id,
    categoryPath: row.category_path,
    minPrice: Number(row.min_price),
    maxPrice: Number(row.max_price),
    currency: row.currency,
    thumbnailUrl: row.thumbnail_url,
    inStockOnline: row.in_stock_online,
    ...(query.locationId !== undefined && { inStockAtLocation: row.at_location === true }),
    createdAt: row.created_at.toISOString(),
    ...(row.matched_code !== null && { matchedCode: row.matched_code }),
    ...(query.text !== null && {
      highlight: {
        name: highlight(row.name_headline ?? row.name),
        description: row.description_headline === null ? null : highlight(row.description_headline),
      },
    }),
  };
}

export interface PostgresEngineOptions {
  /**
   * How long an instance reuses the facet counts of the same search (filters and words) while the read
   * model has not changed (its generation, bumped by every refresh): an upper bound on how stale counts
   * can be if a change commits while they are computed. 0: never reuse.
   */
  facetCacheMs?: number;
}

/** The most searches whose facet counts an instance keeps (each a few kB). */
const FACET_CACHE_ENTRIES = 5_000;

export function createPostgresEngine(db: Db, options: PostgresEngineOptions = {}): SearchEngine {
  const facetCacheMs = options.facetCacheMs ?? 1_000;
  const cache = new Map<string, { at: number; facets: Promise<FacetRow> }>();
  /** The facet counts of a search: computed, or reused from the same search at the same generation. */
  async function facetsOf(params: unknown[], compute: (params: unknown[]) => Promise<FacetRow>): Promise<FacetRow> {
    if (facetCacheMs <= 0) return compute(params);
    const key = `${await productsGeneration(db)}|${JSON.stringify(params)}`;
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && now - hit.at < facetCacheMs) return hit.facets;
    if (cache.size >= FACET_CACHE_ENTRIES) cache.clear();
    const facets = compute(params);
    cache.set(key, { at: now, facets });
    facets.catch(() => cache.delete(key));
    return facets;
  }
  return {
    async search(query) {
      const sort = query.sort === "relevance" && query.words.length === 0 && !query.text ? "newest" : query.sort;
      // Text without a word (only punctuation) matches no document: only a code could match it.
      const groups = query.words.length > 0 ? await correct(db, query.words) : query.text ? [] : null;
      // Most one-word queries could be a code: only one that is a SKU or barcode takes the (slower) path
      // that adds its product to the text matches.
      const byCode = query.code !== null && (await isCode(db, query.code));
      const { params, cte, facetCte } = hits(query, groups, byCode);
      const offset = (query.page - 1) * query.limit;
      const bounds = PRICE_RANGES.slice(1).map((r) => r.min);
      const [page, facets] = await Promise.all([
        db.query<HitRow>(
          `WITH ${cte}
           SELECT h.id, h.name, h.slug, h.brand, h.category_id, h.min_price, h.max_price, h.currency, h.thumbnail_url,
                  h.in_stock_online, h.created_at, h.matched_code,
                  CASE WHEN $9::uuid IS NULL THEN NULL ELSE h.stock_locations @> ARRAY[$9::uuid] END AS at_location,
                  coalesce((SELECT json_agg(json_build_object('id', c.id, 'name', c.name)
                                            ORDER BY array_position(h.category_path, c.id))
                              FROM search_categories c WHERE c.id = ANY(h.category_path)), '[]') AS category_path,
                  CASE WHEN $1::jsonb IS NULL THEN NULL ELSE ts_headline('search_french', h.name, search_query($1::jsonb),
                       'HighlightAll=true, StartSel=' || chr(2) || ', StopSel=' || chr(3)) END AS name_headline,
                  CASE WHEN $1::jsonb IS NULL OR h.description IS NULL THEN NULL
                       ELSE ts_headline('search_french', h.description, search_query($1::jsonb),
                       CASE WHEN length(h.description) <= ${WHOLE_DESCRIPTION} THEN 'HighlightAll=true'
                            ELSE 'MaxFragments=2, MaxWords=20, MinWords=6, FragmentDelimiter=" … "' END ||
                       ', StartSel=' || chr(2) || ', StopSel=' || chr(3)) END AS description_headline
             FROM hits h
            ORDER BY ${ORDER[sort]}
            LIMIT $10 OFFSET $11`,
          [...params, query.limit, offset],
        ),
        facetsOf([...params, bounds.length, bounds], (facetParams) =>
          db
            .query<FacetRow>(
              `WITH ${facetCte},
           counted AS (SELECT unnest(category_path) AS id, count(*)::int AS count FROM hits GROUP BY 1)
           SELECT (SELECT count(*)::int FROM hits) AS total,
                  (SELECT json_agg(json_build_object('id', c.id, 'parentId', c.parent_id, 'name', c.name,
                                                     'position', c.position, 'count', counted.count))
                     FROM counted JOIN search_categories c ON c.id = counted.id) AS categories,
                  (SELECT json_agg(json_build_object('brand', b.brand, 'count', b.count) ORDER BY b.count DESC, b.brand)
                     FROM (SELECT min(brand) AS brand, count(*)::int AS count FROM hits WHERE brand IS NOT NULL
                            GROUP BY lower(brand) ORDER BY count(*) DESC, lower(brand) LIMIT 50) b) AS brands,
                  ARRAY(SELECT count(h.id)::int FROM generate_series(0, $10::int) AS r(bucket)
                          LEFT JOIN hits h ON width_bucket(h.min_price, $11::bigint[]) = r.bucket
                         GROUP BY r.bucket ORDER BY r.bucket) AS prices,
                  (SELECT count(*)::int FROM hits WHERE in_stock_online) AS online,
                  (SELECT count(*)::int FROM hits WHERE $9::uuid IS NOT NULL AND stock_locations @> ARRAY[$9::uuid])
                    AS at_location`,
              facetParams,
            )
            .then((r) => r.rows[0]!),
        ),
      ]);
      const f = facets;
      const result: SearchResult = {
        data: page.rows.map((row) => toHit(row, query)),
        total: f.total,
        facets: {
          categories: categoryTree(f.categories ?? []),
          brands: f.brands ?? [],
          priceRanges: PRICE_RANGES.map((r, i) => ({ ...r, count: f.prices[i] ?? 0 })),
          inStockOnline: f.online,
          ...(query.locationId !== undefined && { inStockAtLocation: f.at_location }),
        },
      };
      return result;
    },

    async suggest(words, limit) {
      if (words.length === 0) return [];
      // Every word starts a word of the name (`search_key` puts a space before each).
      const patterns = words.map((w) => `% ${w}%`);
      const like = (column: string) => patterns.map((_, i) => `${column} LIKE $${i + 3}`).join(" AND ");
      const { rows } = await db.query<Suggestion>(
        `(SELECT 'category' AS kind, c.id, c.name AS text, c.slug FROM search_categories c
           WHERE ${like("c.name_key")}
           ORDER BY (c.name_key LIKE ' ' || $1 || '%') DESC, length(c.name), c.name, c.id LIMIT 3)
         UNION ALL
         (SELECT 'product', p.id, p.name, p.slug FROM search_products p
           WHERE p.searchable AND ${like("p.name_key")}
           ORDER BY (p.name_key LIKE ' ' || $1 || '%') DESC, length(p.name), p.name, p.id LIMIT $2)`,
        [words.join(" "), limit, ...patterns],
      );
      return rows;
    },
  };
}
