import { searchHttp } from "@comptoir/contracts/http";
import { type App, problemResponses } from "@comptoir/platform";
import * as search from "../domain/search.use-cases";

/** Public product search and type-ahead (no token needed). */
export function productsRoutes(
  app: App,
  deps: search.SearchDeps & { /** SUGGEST_SHARED_CACHE_SECONDS */ suggestSharedCacheSeconds: number },
): void {
  app.get(
    searchHttp.searchProducts.path,
    {
      schema: {
        tags: ["search"],
        summary: "Active products by text (French and English, typo-tolerant), filters and facets",
        description:
          "`q` is text only: words (accents and case ignored, stemmed in French and English, typos corrected " +
          "when no product has the word), or a SKU or barcode, whose product comes first. Facets count every " +
          "result (categories as a tree, sub-categories included). 400 invalid_price_range when minPrice > " +
          `maxPrice; 400 page_beyond_cap past the first ${searchHttp.MAX_SEARCH_ROWS} results.`,
        querystring: searchHttp.searchProducts.query,
        response: { 200: searchHttp.searchProducts.responses[200], ...problemResponses(400) },
      },
    },
    async (request) => search.searchProducts(deps, request.query),
  );
  app.get(
    searchHttp.suggest.path,
    {
      schema: {
        tags: ["search"],
        summary: "Type-ahead: categories and product names whose words start as typed (two letters on)",
        querystring: searchHttp.suggest.query,
        response: { 200: searchHttp.suggest.responses[200], ...problemResponses(400) },
      },
    },
    async (request, reply) => {
      const data = await search.suggest(deps, request.query.q);
      // Names for a type-ahead, the same for every shopper: a shared cache may keep them a moment.
      if (deps.suggestSharedCacheSeconds > 0 && request.headers.authorization === undefined)
        reply.header("cache-control", `public, max-age=0, s-maxage=${deps.suggestSharedCacheSeconds}`);
      return { data };
    },
  );
}
