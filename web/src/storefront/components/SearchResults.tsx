import { useId, useState } from "react";
import { useSearchParams } from "react-router";
import { ErrorMessage } from "../../app/errors";
import { type MessageKey, useI18n } from "../../app/i18n/i18n";
import { Loading } from "../../app/ui";
import { useProductSearch } from "../queries";
import type { CategoryFacet, SearchQuery } from "../types";
import { ProductGrid } from "./ProductCard";

const PAGE_SIZE = 24;
const SORTS = ["relevance", "price_asc", "price_desc", "newest"] as const;
type Sort = (typeof SORTS)[number];

/** The filters a URL holds: ?q&category&brand&minPrice&maxPrice&inStock&sort&page. */
function queryOf(params: URLSearchParams, fixed: SearchQuery): SearchQuery {
  const number = (name: string) => {
    const value = params.get(name);
    return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
  };
  const sort = params.get("sort");
  const query: SearchQuery = {
    q: params.get("q")?.trim() || undefined,
    category: params.get("category") ?? undefined,
    brand: params.get("brand") ?? undefined,
    minPrice: number("minPrice"),
    maxPrice: number("maxPrice"),
    inStock: params.get("inStock") === "true" ? true : undefined,
    sort: SORTS.includes(sort as Sort) ? (sort as Sort) : undefined,
    page: number("page"),
    limit: PAGE_SIZE,
    ...fixed,
  };
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)) as SearchQuery;
}

function CategoryTree({
  nodes,
  selected,
  onSelect,
}: {
  nodes: CategoryFacet[];
  selected?: string;
  onSelect(id: string): void;
}) {
  return (
    <ul className="facet-tree" role="list">
      {nodes.map((node) => (
        <li key={node.id}>
          <button
            type="button"
            className="facet-option"
            aria-pressed={selected === node.id}
            onClick={() => onSelect(node.id)}
          >
            {node.name} <span className="count">({node.count})</span>
          </button>
          {node.children.length > 0 && <CategoryTree nodes={node.children} selected={selected} onSelect={onSelect} />}
        </li>
      ))}
    </ul>
  );
}

/**
 * Search's answer with its facets: category tree, brands, price ranges, in stock online, a sort and
 * pages. Every choice is in the URL (shareable, back button). `fixed` holds what the screen decides
 * (a category page's category).
 */
export function SearchResults({ fixed = {}, heading }: { fixed?: SearchQuery; heading: string }) {
  const { t, money } = useI18n();
  const [params, setParams] = useSearchParams();
  const query = queryOf(params, fixed);
  const result = useProductSearch(query);
  const sortId = useId();
  const facetsId = useId();
  const [filtersOpen, setFiltersOpen] = useState(false);
  const data = result.data;

  const update = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined || value === "") next.delete(name);
      else next.set(name, value);
    }
    if (!("page" in changes)) next.delete("page");
    setParams(next);
  };
  const page = query.page ?? 1;
  const pages = data ? Math.max(1, Math.ceil(Math.min(data.pagination.total, 1000) / PAGE_SIZE)) : 1;
  const filtered = ["category", "brand", "minPrice", "maxPrice", "inStock"].some((name) => params.has(name));

  return (
    <div className="search-layout">
      <div className="search-head">
        <h1>{heading}</h1>
        {data && (
          <p className="muted" role="status">
            {t("search.count", { count: data.pagination.total })}
          </p>
        )}
        <div className="sort">
          <label htmlFor={sortId}>{t("search.sort")}</label>
          <select id={sortId} value={query.sort ?? "relevance"} onChange={(e) => update({ sort: e.target.value })}>
            {SORTS.map((sort) => (
              <option key={sort} value={sort}>
                {t(`search.sort.${sort}` as MessageKey)}
              </option>
            ))}
          </select>
        </div>
      </div>

      <button
        type="button"
        className="button button-secondary filters-toggle"
        aria-expanded={filtersOpen}
        aria-controls={facetsId}
        onClick={() => setFiltersOpen((open) => !open)}
      >
        {t("search.filters")}
      </button>
      <aside id={facetsId} className={filtersOpen ? "facets facets-open" : "facets"} aria-label={t("search.filters")}>
        {data && (
          <>
            {!fixed.category && data.facets.categories.length > 0 && (
              <section className="facet">
                <h2>{t("search.facet.categories")}</h2>
                <CategoryTree
                  nodes={data.facets.categories}
                  selected={query.category}
                  onSelect={(id) => update({ category: query.category === id ? undefined : id })}
                />
              </section>
            )}
            {data.facets.brands.length > 0 && (
              <section className="facet">
                <h2>{t("search.facet.brands")}</h2>
                <ul role="list">
                  {data.facets.brands.map((b) => (
                    <li key={b.brand}>
                      <button
                        type="button"
                        className="facet-option"
                        aria-pressed={query.brand?.toLowerCase() === b.brand.toLowerCase()}
                        onClick={() => update({ brand: query.brand === b.brand ? undefined : b.brand })}
                      >
                        {b.brand} <span className="count">({b.count})</span>
                      </button>
                    </li>
                  ))}
                </ul>
              </section>
            )}
            {data.facets.priceRanges.length > 0 && (
              <section className="facet">
                <h2>{t("search.facet.prices")}</h2>
                <ul role="list">
                  {data.facets.priceRanges.map((r) => {
                    const on = query.minPrice === r.min && query.maxPrice === (r.max === null ? undefined : r.max - 1);
                    if (r.count === 0 && !on) return null;
                    const label =
                      r.max === null
                        ? t("search.facet.priceFrom", { min: money(r.min) })
                        : t("search.facet.priceRange", { min: money(r.min), max: money(r.max) });
                    return (
                      <li key={r.min}>
                        <button
                          type="button"
                          className="facet-option"
                          aria-pressed={on}
                          onClick={() =>
                            update(
                              on
                                ? { minPrice: undefined, maxPrice: undefined }
                                : { minPrice: String(r.min), maxPrice: r.max === null ? undefined : String(r.max - 1) },
                            )
                          }
                        >
                          {label} <span className="count">({r.count})</span>
                        </button>
                      </li>
                    );
                  })}
                </ul>
              </section>
            )}
            <section className="facet">
              <h2>{t("search.facet.stock")}</h2>
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={query.inStock === true}
                  onChange={(e) => update({ inStock: e.target.checked ? "true" : undefined })}
                />
                {t("search.facet.inStock", { count: data.facets.inStockOnline })}
              </label>
            </section>
            {filtered && (
              <button
                type="button"
                className="button button-secondary"
                onClick={() =>
                  update({
                    category: undefined,
                    brand: undefined,
                    minPrice: undefined,
                    maxPrice: undefined,
                    inStock: undefined,
                  })
                }
              >
                {t("search.clearFilters")}
              </button>
            )}
          </>
        )}
      </aside>

      <div className="results" aria-busy={result.isFetching}>
        {result.isLoading && <Loading />}
        {result.error && <ErrorMessage error={result.error} onRetry={() => result.refetch()} />}
        {data && data.data.length === 0 && <p className="empty">{t("search.none")}</p>}
        {data && data.data.length > 0 && <ProductGrid hits={data.data} />}
        {data && pages > 1 && (
          <nav className="pager" aria-label={t("search.page", { page, pages })}>
            <button
              type="button"
              className="button button-secondary"
              disabled={page <= 1}
              onClick={() => update({ page: String(page - 1) })}
            >
              {t("search.previous")}
            </button>
            <span>{t("search.page", { page, pages })}</span>
            <button
              type="button"
              className="button button-secondary"
              disabled={page >= pages}
              onClick={() => update({ page: String(page + 1) })}
            >
              {t("search.next")}
            </button>
          </nav>
        )}
      </div>
    </div>
  );
}
