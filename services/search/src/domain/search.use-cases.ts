import { searchHttp } from "@comptoir/contracts/http";
import { InvalidError, type Static } from "@comptoir/platform";
import type { SearchEngine, SearchFacets, SearchHit, Suggestion } from "../engine/search-engine";
import { codeOf, queryWords } from "../model/query";

export interface SearchDeps {
  engine: SearchEngine;
}

type SearchInput = Static<typeof searchHttp.searchProducts.query>;

const MAX_ROWS = searchHttp.MAX_SEARCH_ROWS;

/** The most suggestions one answer holds (besides up to 3 categories). */
const SUGGESTIONS = 8;

/**
 * Searches the active products of known categories. `q` is only ever text: its words are extracted
 * here and nothing else of it reaches the engine but the trimmed whole (looked up as a SKU or barcode).
 */
export async function searchProducts(
  deps: SearchDeps,
  input: SearchInput,
): Promise<{ data: SearchHit[]; facets: SearchFacets; pagination: { page: number; limit: number; total: number } }> {
  const { page, limit } = input;
  if (input.minPrice !== undefined && input.maxPrice !== undefined && input.minPrice > input.maxPrice) {
    throw new InvalidError("invalid_price_range", "minPrice must not be greater than maxPrice.");
  }
  if (page * limit > MAX_ROWS) {
    throw new InvalidError(
      "page_beyond_cap",
      `A search pages to its first ${MAX_ROWS} results (page × limit); refine the query to go further.`,
    );
  }
  const text = input.q?.trim() || null;
  const result = await deps.engine.search({
    text,
    words: queryWords(text ?? undefined),
    code: codeOf(text ?? undefined),
    category: input.category,
    brand: input.brand,
    minPrice: input.minPrice,
    maxPrice: input.maxPrice,
    inStock: input.inStock,
    locationId: input.locationId,
    sort: input.sort ?? "relevance",
    page,
    limit,
  });
  return { data: result.data, facets: result.facets, pagination: { page, limit, total: result.total } };
}

/** Type-ahead: categories and product names with words starting as typed (from two letters). */
export async function suggest(deps: SearchDeps, q: string): Promise<Suggestion[]> {
  const words = queryWords(q);
  if (words.join("").length < 2) return [];
  return deps.engine.suggest(words, SUGGESTIONS);
}
