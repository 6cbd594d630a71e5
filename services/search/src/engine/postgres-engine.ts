import type { Db } from "@comptoir/platform";
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

interface Filters {
  params: unknown[];
  /** The CTE `hits`: every matching searchable product, with by_code, exact, rank, matched_code. */
  cte: string;
}

/** The matching products as a CTE, and its parameters ($1…$9); the caller adds its own after them. */
function hits(query: SearchQuery, groups: string[][] | null): Filters {
  const exact = query.words.length > 0 ? JSON.stringify(query.words.map((w) => [w])) : null;
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
    cte: `codes AS (
        SELECT DISTINCT ON (product_id) product_id,
               CASE WHEN lower(sku) = lower($3::text) THEN sku ELSE barcode END AS code
          FROM search_variants
         WHERE $3::text IS NOT NULL AND (lower(sku) = lower($3::text) OR barcode = $3::text)
         ORDER BY product_id, (lower(sku) = lower($3::text)) DESC
      ),
      hits AS (
        SELECT p.id, p.name, p.slug, p.brand, p.category_id, p.category_path, p.description, p.min_price,
               p.max_price, p.currency, p.thumbnail_url, p.in_stock_online, p.stock_locations, p.created_at,
               codes.code AS matched_code,
               codes.code IS NOT NULL AS by_code,
               coalesce(p.document @@ search_query($2::jsonb), false) AS exact,
               coalesce(ts_rank('${WEIGHTS}', p.document, search_query($1::jsonb)), 0) AS rank
          FROM search_products p LEFT JOIN codes ON codes.product_id = p.id
         WHERE p.searchable
           AND ($1::jsonb IS NULL OR p.document @@ search_query($1::jsonb) OR codes.code IS NOT NULL)
           AND ($4::uuid IS NULL OR p.category_path @> ARRAY[$4::uuid])
           AND ($5::text IS NULL OR lower(p.brand) = lower($5::text))
           AND (($6::bigint IS NULL AND $7::bigint IS NULL) OR EXISTS (
                 SELECT 1 FROM search_variants v WHERE v.product_id = p.id
                    AND v.price >= coalesce($6::bigint, 0) AND v.price <= coalesce($7::bigint, 9223372036854775807)))
           AND (NOT $8::boolean OR CASE WHEN $9::uuid IS NULL THEN p.in_stock_online
                                        ELSE p.stock_locations @> ARRAY[$9::uuid] END)
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

export function createPostgresEngine(db: Db): SearchEngine {
  return {
    async search(query) {
      const sort = query.sort === "relevance" && query.words.length === 0 && !query.text ? "newest" : query.sort;
      // Text without a word (only punctuation) matches no document: only a code could match it.
      const groups = query.words.length > 0 ? await correct(db, query.words) : query.text ? [] : null;
      const { params, cte } = hits(query, groups);
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
        db.query<FacetRow>(
          `WITH ${cte},
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
          [...params, bounds.length, bounds],
        ),
      ]);
      const f = facets.rows[0]!;
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
