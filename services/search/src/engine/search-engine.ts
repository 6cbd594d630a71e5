import type { Static } from "@comptoir/platform";
import type { searchHttp } from "@comptoir/contracts/http";

/*
 * The port every search engine adapter implements: today an in-memory index per instance, fed by the
 * read model in PostgreSQL (indexed-engine.ts); OpenSearch or Elasticsearch tomorrow, fed by the same
 * events and answering the same API.
 */

type SearchAnswer = Static<(typeof searchHttp.searchProducts.responses)[200]>;
export type SearchHit = SearchAnswer["data"][number];
export type SearchFacets = SearchAnswer["facets"];
export type Suggestion = Static<typeof searchHttp.Suggestion>;
export type SearchSort = searchHttp.SearchSort;

/** A search, checked: words already extracted from `q` (model/query.ts), bounds consistent. */
export interface SearchQuery {
  /** `q` as typed, trimmed; null without one. Only its words and its code reach the engine's queries. */
  text: string | null;
  /** `q` when it can be a SKU or a barcode (codeOf), looked up as is; else null. */
  code: string | null;
  /** The words of `q`, normalized (queryWords). Empty: every product matches. */
  words: string[];
  category?: string;
  brand?: string;
  minPrice?: number;
  maxPrice?: number;
  /** Only products with stock available online, or at `locationId` when given. */
  inStock?: boolean;
  locationId?: string;
  sort: SearchSort;
  page: number;
  limit: number;
}

export interface SearchResult {
  data: SearchHit[];
  facets: SearchFacets;
  total: number;
}

export interface SearchEngine {
  search(query: SearchQuery): Promise<SearchResult>;
  /** Product names and categories whose words start with the words typed (the last one a prefix). */
  suggest(words: string[], limit: number): Promise<Suggestion[]>;
}
