import { Link } from "react-router";
import { useI18n } from "../../app/i18n/i18n";
import type { SearchHit } from "../types";
import { Highlight } from "./Highlight";

export function ProductCard({ hit }: { hit: SearchHit }) {
  const { t, money } = useI18n();
  const price =
    hit.minPrice === hit.maxPrice
      ? money(hit.minPrice, hit.currency)
      : t("product.from", { price: money(hit.minPrice, hit.currency) });
  return (
    <li className="card">
      <Link to={`/p/${hit.slug}`} className="card-link">
        <div className="card-image">
          {hit.thumbnailUrl ? (
            <img src={hit.thumbnailUrl} alt="" loading="lazy" width="320" height="320" />
          ) : (
            <span className="card-placeholder" aria-hidden="true">
              {hit.name.slice(0, 1)}
            </span>
          )}
        </div>
        <div className="card-body">
          {hit.brand && <p className="card-brand">{hit.brand}</p>}
          <h3 className="card-title">{hit.highlight ? <Highlight html={hit.highlight.name} /> : hit.name}</h3>
          {hit.matchedCode && <p className="card-code">{t("search.matchedCode", { code: hit.matchedCode })}</p>}
          <p className="card-price">{price}</p>
          <p className={hit.inStockOnline ? "stock stock-in" : "stock stock-out"}>
            {t(hit.inStockOnline ? "product.inStockOnline" : "product.outOfStockOnline")}
          </p>
        </div>
      </Link>
    </li>
  );
}

export function ProductGrid({ hits }: { hits: SearchHit[] }) {
  return (
    <ul className="grid" role="list">
      {hits.map((hit) => (
        <ProductCard key={hit.id} hit={hit} />
      ))}
    </ul>
  );
}
