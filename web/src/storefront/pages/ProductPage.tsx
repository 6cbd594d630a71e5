import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { Link, useParams } from "react-router";
import { api, codeOf, unwrap } from "../../app/api/client";
import { ErrorMessage } from "../../app/errors";
import { useI18n } from "../../app/i18n/i18n";
import { Loading, useDocumentTitle } from "../../app/ui";
import { useCart } from "../cart/cart";
import { StockLabel, StoreDetails, storesWithStock, useStoreDirectory, useStoreStock } from "../stores";
import type { Product, Variant } from "../types";

/** The VAT part of a price that includes it, in minor units (rate in basis points). */
const vatOf = (price: number, rate: number) => Math.round((price * rate) / (10_000 + rate));

const variantLabel = (v: Variant) => Object.values(v.options).join(" · ") || v.sku;

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
      <img
        className="gallery-main"
        src={image.largeUrl}
        alt={image.alt ?? product.name}
        width="800"
        height="800"
        fetchPriority="high"
      />
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

function AddToCart({
  variants,
  variant,
  onChoose,
}: {
  variants: Variant[];
  variant: Variant | undefined;
  onChoose(variantId: string): void;
}) {
  const { t, money, rate } = useI18n();
  const cart = useCart();
  const [quantity, setQuantity] = useState(1);
  const [state, setState] = useState<{ status: "idle" | "adding" | "added" } | { status: "failed"; error: unknown }>({
    status: "idle",
  });
  const [short, setShort] = useState<number | null>(null);
  const quantityId = useId();
  const groupName = useId();
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
                onChange={() => onChoose(v.id)}
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

/** "Disponibilité en magasin": each store, its address and hours today, and the chosen variant's stock there. */
function StoreAvailability({ variant, stock }: { variant: Variant; stock: ReturnType<typeof useStoreStock> }) {
  const { t } = useI18n();
  const directory = useStoreDirectory();
  const headingId = useId();
  const stores = storesWithStock(directory.data, stock.data);
  return (
    <section className="section store-stock" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("product.stores.title")}</h2>
      {directory.isLoading || stock.isLoading ? (
        <Loading />
      ) : directory.error || stock.error ? (
        <ErrorMessage
          error={directory.error ?? stock.error}
          onRetry={() => void Promise.all([directory.refetch(), stock.refetch()])}
        />
      ) : stores.length === 0 ? (
        <p className="muted">{t("product.stores.none")}</p>
      ) : (
        <>
          <p className="hint">{t("product.stores.hint", { variant: variantLabel(variant) })}</p>
          <ul className="store-list" role="list">
            {stores.map(({ store, stock: lines }) => (
              <li key={store.id} className="store">
                <div className="store-main">
                  <h3 className="store-name">{store.name}</h3>
                  <StoreDetails store={store} />
                </div>
                <StockLabel stock={lines.find((l) => l.variantId === variant.id)} where="store" />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** /p/:slug: photos, variants, price VAT included, stock online and per store, add to cart. */
export default function ProductPage() {
  const { t } = useI18n();
  const { slug } = useParams();
  const product = useQuery({
    queryKey: ["product", slug],
    queryFn: async () =>
      unwrap(await api.catalog.GET("/api/catalog/products/by-slug/{slug}", { params: { path: { slug: slug! } } })),
  });
  const variants = [...(product.data?.variants ?? [])].sort((a, b) => a.position - b.position);
  const [chosen, setChosen] = useState<string>();
  const variant = variants.find((v) => v.id === chosen) ?? variants[0];
  const stock = useStoreStock(variants.map((v) => v.id));
  const online = stock.data?.online.find((s) => s.variantId === variant?.id);
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
        <p className="online-stock" aria-live="polite">
          {!stock.isLoading && <StockLabel stock={online} where="online" />}
        </p>
        <AddToCart variants={variants} variant={variant} onChoose={setChosen} />
        {variant && <StoreAvailability variant={variant} stock={stock} />}
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
