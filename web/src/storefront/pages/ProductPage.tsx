import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { Link, useParams } from "react-router";
import { api, codeOf, unwrap } from "../../app/api/client";
import { ErrorMessage } from "../../app/errors";
import { useI18n } from "../../app/i18n/i18n";
import { Loading, useDocumentTitle } from "../../app/ui";
import { useCart } from "../cart/cart";
import type { Product, Variant } from "../types";

/** The VAT part of a price that includes it, in minor units (rate in basis points). */
const vatOf = (price: number, rate: number) => Math.round((price * rate) / (10_000 + rate));

const variantLabel = (v: Variant) => Object.values(v.options).join(" · ") || v.sku;

/** Is the product in stock online? Search knows it (catalog does not): its SKU finds it first. */
function useOnlineStock(product: Product | undefined) {
  const sku = product?.variants[0]?.sku;
  return useQuery({
    queryKey: ["stock-online", product?.id],
    enabled: Boolean(sku),
    queryFn: async () => {
      const answer = unwrap(await api.search.GET("/api/search/products", { params: { query: { q: sku, limit: 5 } } }));
      return answer.data.find((hit) => hit.id === product!.id)?.inStockOnline ?? null;
    },
  });
}

function Gallery({ product }: { product: Product }) {
  const { t } = useI18n();
  const [shown, setShown] = useState(0);
  const images = [...product.images].sort((a, b) => a.position - b.position);
  const image = images[shown];
  if (!image) {
    return (
      <div className="gallery-main gallery-empty" role="img" aria-label={t("product.noImage")}>
        <span aria-hidden="true">{product.name.slice(0, 1)}</span>
      </div>
    );
  }
  return (
    <div className="gallery" aria-label={t("product.images")} role="group">
      <img className="gallery-main" src={image.largeUrl} alt={image.alt ?? product.name} width="800" height="800" />
      {images.length > 1 && (
        <ul className="thumbs" role="list">
          {images.map((img, i) => (
            <li key={img.id}>
              <button
                type="button"
                className="thumb"
                aria-pressed={i === shown}
                aria-label={t("product.showImage", { n: i + 1 })}
                onClick={() => setShown(i)}
              >
                <img src={img.thumbnailUrl} alt="" width="80" height="80" />
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function AddToCart({ product }: { product: Product }) {
  const { t, money, rate } = useI18n();
  const cart = useCart();
  const variants = [...product.variants].sort((a, b) => a.position - b.position);
  const [variantId, setVariantId] = useState(variants[0]?.id);
  const [quantity, setQuantity] = useState(1);
  const [state, setState] = useState<{ status: "idle" | "adding" | "added" } | { status: "failed"; error: unknown }>({
    status: "idle",
  });
  const [short, setShort] = useState<number | null>(null);
  const quantityId = useId();
  const groupName = useId();
  const variant = variants.find((v) => v.id === variantId) ?? variants[0];
  if (!variant) return null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setState({ status: "adding" });
    try {
      const answer = await cart.add(variant!.id, quantity);
      const line = answer.items.find((item) => item.variantId === variant!.id);
      setShort(line?.insufficientStock ? (line.available ?? 0) : null);
      setState({ status: "added" });
    } catch (error) {
      setState({ status: "failed", error });
    }
  }

  return (
    <form className="buy" onSubmit={submit}>
      <p className="price">
        <span className="price-value">{t("product.priceTtc", { price: money(variant.price, variant.currency) })}</span>
        {variant.compareAtPrice !== null && variant.compareAtPrice > variant.price && (
          <s className="muted">{t("product.compareAt", { price: money(variant.compareAtPrice, variant.currency) })}</s>
        )}
      </p>
      <p className="muted">
        {t("product.vat", {
          rate: rate(variant.vatRate),
          amount: money(vatOf(variant.price, variant.vatRate), variant.currency),
        })}
      </p>
      {variants.length > 1 && (
        <fieldset className="variants">
          <legend>{t("product.variants")}</legend>
          {variants.map((v) => (
            <label key={v.id} className="variant">
              <input
                type="radio"
                name={groupName}
                value={v.id}
                checked={v.id === variant.id}
                onChange={() => setVariantId(v.id)}
              />
              <span>{variantLabel(v)}</span>
              <span className="muted">{money(v.price, v.currency)}</span>
            </label>
          ))}
        </fieldset>
      )}
      <p className="muted">{t("product.sku", { sku: variant.sku })}</p>
      <div className="buy-row">
        <label htmlFor={quantityId}>{t("product.quantity")}</label>
        <input
          id={quantityId}
          type="number"
          inputMode="numeric"
          min={1}
          max={99}
          value={quantity}
          onChange={(e) => setQuantity(Math.max(1, Math.min(99, Number(e.target.value) || 1)))}
          className="quantity"
        />
        <button type="submit" className="button" disabled={state.status === "adding"}>
          {state.status === "adding" ? t("product.adding") : t("product.addToCart")}
        </button>
      </div>
      <div aria-live="polite" role="status">
        {state.status === "added" && (
          <p className="alert alert-success">
            {t("product.added")} <Link to="/cart">{t("product.viewCart")}</Link>
            {short !== null && <span className="block">{t("cart.insufficientStock", { available: short })}</span>}
          </p>
        )}
      </div>
      {state.status === "failed" && <ErrorMessage error={state.error} />}
    </form>
  );
}

/** /p/:slug: photos, variants, price VAT included, stock online, add to cart. */
export default function ProductPage() {
  const { t } = useI18n();
  const { slug } = useParams();
  const product = useQuery({
    queryKey: ["product", slug],
    queryFn: async () =>
      unwrap(await api.catalog.GET("/api/catalog/products/by-slug/{slug}", { params: { path: { slug: slug! } } })),
  });
  const stock = useOnlineStock(product.data);
  useDocumentTitle(product.data?.name);

  if (product.isLoading) return <Loading />;
  if (product.error) {
    if (codeOf(product.error) === "product_not_found") {
      return (
        <div className="empty-state">
          <h1>{t("app.notFound.title")}</h1>
          <p>{t("product.notFound")}</p>
          <Link to="/">{t("app.backHome")}</Link>
        </div>
      );
    }
    return <ErrorMessage error={product.error} onRetry={() => product.refetch()} />;
  }
  const p = product.data!;
  const attributes = Object.entries(p.attributes);
  return (
    <article className="product">
      <Gallery product={p} />
      <div className="product-info">
        {p.brand && <p className="card-brand">{t("product.brand", { brand: p.brand })}</p>}
        <h1>{p.name}</h1>
        <p className={stock.data === true ? "stock stock-in" : stock.data === false ? "stock stock-out" : "stock"}>
          {stock.data === true
            ? t("product.inStockOnline")
            : stock.data === false
              ? t("product.outOfStockOnline")
              : t("product.stockUnknown")}
        </p>
        <AddToCart product={p} />
        {p.description && (
          <section className="section">
            <h2>{t("product.description")}</h2>
            <p>{p.description}</p>
          </section>
        )}
        {attributes.length > 0 && (
          <section className="section">
            <h2>{t("product.attributes")}</h2>
            <dl className="attributes">
              {attributes.map(([name, value]) => (
                <div key={name}>
                  <dt>{name}</dt>
                  <dd>{value}</dd>
                </div>
              ))}
            </dl>
          </section>
        )}
      </div>
    </article>
  );
}
