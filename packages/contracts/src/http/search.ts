import { type Static, Type } from "typebox";
import { endpoint } from "./endpoint";
import { Id, Nullable, Pagination } from "./schemas";
import { Freshness, RebuildState } from "./read-model";

/** The longest `q` a search or a suggestion takes. */
export const MAX_QUERY_LENGTH = 200;
/** The most results one page holds. */
export const MAX_SEARCH_LIMIT = 50;
/** The deepest result a search pages to, page × limit: deeper than this, refine the query. */
export const MAX_SEARCH_ROWS = 1_000;

export const SearchSort = Type.Union(
  [Type.Literal("relevance"), Type.Literal("price_asc"), Type.Literal("price_desc"), Type.Literal("newest")],
  { description: "relevance (the default; newest when there is no q), price of the cheapest variant, or newest first" },
);
export type SearchSort = Static<typeof SearchSort>;

/** A search result: a product with what a list of results shows of it. */
export const SearchHit = Type.Object({
  id: Id,
  name: Type.String(),
  slug: Type.String(),
  brand: Nullable(Type.String()),
  categoryId: Id,
  /** Its category's path, root first. */
  categoryPath: Type.Array(Type.Object({ id: Id, name: Type.String() })),
  minPrice: Type.Integer({ description: "the cheapest variant's price, minor units" }),
  maxPrice: Type.Integer(),
  currency: Type.String(),
  thumbnailUrl: Nullable(Type.String()),
  inStockOnline: Type.Boolean(),
  /** Present when `locationId` is given: some variant has stock available there. */
  inStockAtLocation: Type.Optional(Type.Boolean()),
  createdAt: Type.String({ format: "date-time" }),
  /** The SKU or barcode `q` names exactly, if any (a till's scan). */
  matchedCode: Type.Optional(Type.String()),
  /**
   * Matched words wrapped in `<mark>…</mark>`; the rest of the text is HTML-escaped. Absent without `q`.
   */
  highlight: Type.Optional(Type.Object({ name: Type.String(), description: Nullable(Type.String()) })),
});
export type SearchHit = Static<typeof SearchHit>;

export type CategoryFacet = { id: string; name: string; count: number; children: CategoryFacet[] };
/** A category with how many results it holds, its sub-categories' included. */
export const CategoryFacet = Type.Cyclic(
  {
    CategoryFacet: Type.Object({
      id: Id,
      name: Type.String(),
      count: Type.Integer(),
      children: Type.Array(Type.Ref("CategoryFacet")),
    }),
  },
  "CategoryFacet",
);

export const Facets = Type.Object({
  /** Roots of the categories holding results, each with its sub-categories that hold some. */
  categories: Type.Array(CategoryFacet),
  brands: Type.Array(Type.Object({ brand: Type.String(), count: Type.Integer() })),
  /** Counts by the cheapest variant's price: `min` included, `max` excluded, null max = no upper bound. */
  priceRanges: Type.Array(Type.Object({ min: Type.Integer(), max: Nullable(Type.Integer()), count: Type.Integer() })),
  inStockOnline: Type.Integer({ description: "results with stock available online" }),
  /** Results with stock available at `locationId`, when given. */
  inStockAtLocation: Type.Optional(Type.Integer()),
});

const Amount = Type.Integer({ minimum: 0, maximum: 1_000_000_000_000 });

export const searchProducts = endpoint({
  method: "GET",
  path: "/api/search/products",
  query: Type.Object(
    {
      q: Type.Optional(Type.String({ maxLength: MAX_QUERY_LENGTH, description: "free text: words, a SKU, a barcode" })),
      category: Type.Optional(Id),
      brand: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
      minPrice: Type.Optional(Amount),
      maxPrice: Type.Optional(Amount),
      inStock: Type.Optional(Type.Boolean({ description: "only products with stock online (or at locationId)" })),
      locationId: Type.Optional(Id),
      sort: Type.Optional(SearchSort),
      page: Type.Integer({ minimum: 1, maximum: MAX_SEARCH_ROWS, default: 1 }),
      limit: Type.Integer({ minimum: 1, maximum: MAX_SEARCH_LIMIT, default: 20 }),
    },
    { additionalProperties: false },
  ),
  responses: { 200: Type.Object({ data: Type.Array(SearchHit), facets: Facets, pagination: Pagination }) },
  errors: ["invalid_price_range", "page_beyond_cap"],
});

export const Suggestion = Type.Object({
  kind: Type.Union([Type.Literal("product"), Type.Literal("category")]),
  id: Id,
  text: Type.String(),
  /** The product's or category's slug, for a link. */
  slug: Type.String(),
});

export const suggest = endpoint({
  method: "GET",
  path: "/api/search/suggest",
  query: Type.Object(
    { q: Type.String({ maxLength: MAX_QUERY_LENGTH, description: "what was typed so far (two letters are enough)" }) },
    { additionalProperties: false },
  ),
  responses: { 200: Type.Object({ data: Type.Array(Suggestion) }) },
});

// ——— The read model's operations (permission `events:admin`; `comptoir search rebuild|status`) ———

// The rebuild's progress and the per-stream lag: the same schemas as every read model's (read-model.ts).
export { Freshness, RebuildPhase, RebuildState, StreamFreshness } from "./read-model";

/** Starts a rebuild in the background (202 with its first state); 409 rebuild_in_progress if one runs. */
export const rebuild = endpoint({
  method: "POST",
  path: "/api/search/admin/rebuild",
  responses: { 202: RebuildState },
  errors: ["rebuild_in_progress"],
});

/** The last rebuild's progress. */
export const rebuildState = endpoint({
  method: "GET",
  path: "/api/search/admin/rebuild",
  responses: { 200: RebuildState },
});

/** Per stream: events not applied yet and how far behind in time. */
export const freshness = endpoint({
  method: "GET",
  path: "/api/search/admin/freshness",
  responses: { 200: Freshness },
});

export const endpoints = { searchProducts, suggest, rebuild, rebuildState, freshness };
