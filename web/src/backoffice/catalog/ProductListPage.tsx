import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useI18n } from "../../app/i18n/i18n";
import type { ProductStatus } from "../types";
import { Answer, Field, Pager, Title, useRead } from "../ui";
import { StatusBadge, useCategories } from "./parts";

const STATUSES: readonly ProductStatus[] = ["draft", "active", "archived"];
const LIMIT = 20;

/** /backoffice/catalog: every product (drafts and archived included), searched by name, filtered, paged. */
export function ProductListPage() {
  const { t, money, date } = useI18n();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const status = (params.get("status") ?? "") as ProductStatus | "";
  const category = params.get("category") ?? "";
  const page = Number(params.get("page") ?? "1") || 1;
  const [text, setText] = useState(q);
  const categories = useCategories();
  const products = useRead(["products", q, status, category, page], (client) =>
    client.catalog.GET("/api/catalog/products", {
      params: {
        query: {
          page,
          limit: LIMIT,
          ...(q ? { q } : {}),
          ...(status ? { status } : {}),
          ...(category ? { category } : {}),
        },
      },
    }),
  );
  const set = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    if (!("page" in changes)) next.delete("page");
    setParams(next, { replace: true });
  };

  return (
    <>
      <Title
        actions={
          <Link to="/backoffice/catalog/new" className="button">
            {t("backoffice.catalog.new")}
          </Link>
        }
      >
        {t("backoffice.catalog.title")}
      </Title>
      <form
        className="bo-filters"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          set({ q: text.trim() });
        }}
      >
        <Field label={t("backoffice.catalog.search")}>
          {(ids) => <input {...ids} type="search" value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
        <Field label={t("backoffice.catalog.status")}>
          {(ids) => (
            <select {...ids} value={status} onChange={(e) => set({ status: e.target.value })}>
              <option value="">{t("backoffice.catalog.anyStatus")}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`backoffice.catalog.status.${s}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t("backoffice.catalog.category")}>
          {(ids) => (
            <select {...ids} value={category} onChange={(e) => set({ category: e.target.value })}>
              <option value="">{t("backoffice.catalog.anyCategory")}</option>
              {categories.data?.all.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.path}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" className="button bo-filters-go">
          {t("search.submit")}
        </button>
      </form>
      <Answer query={products}>
        {(answer) =>
          answer.data.length === 0 ? (
            <p className="empty">{t("backoffice.catalog.none")}</p>
          ) : (
            <>
              <p className="muted" aria-live="polite">
                {t("backoffice.catalog.count", { count: answer.pagination.total })}
              </p>
              <div className="bo-scroll">
                <table className="bo-table">
                  <caption className="visually-hidden">{t("backoffice.catalog.title")}</caption>
                  <thead>
                    <tr>
                      <th scope="col">
                        <span className="visually-hidden">{t("backoffice.catalog.image")}</span>
                      </th>
                      <th scope="col">{t("backoffice.catalog.name")}</th>
                      <th scope="col">{t("backoffice.catalog.status")}</th>
                      <th scope="col">{t("backoffice.catalog.skus")}</th>
                      <th scope="col" className="num">
                        {t("backoffice.catalog.price")}
                      </th>
                      <th scope="col">{t("backoffice.catalog.updated")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {answer.data.map((product) => {
                      const prices = product.variants.map((v) => v.price);
                      return (
                        <tr key={product.id}>
                          <td className="bo-thumb-cell">
                            {product.images[0] && (
                              <img src={product.images[0].thumbnailUrl} alt="" className="bo-thumb" loading="lazy" />
                            )}
                          </td>
                          <th scope="row">
                            <Link to={`/backoffice/catalog/${product.id}`}>{product.name}</Link>
                            {product.brand && <span className="muted"> · {product.brand}</span>}
                          </th>
                          <td>
                            <StatusBadge status={product.status} />
                          </td>
                          <td className="bo-code">{product.variants.map((v) => v.sku).join(", ")}</td>
                          <td className="num">
                            {prices.length > 0 &&
                              (Math.min(...prices) === Math.max(...prices)
                                ? money(prices[0]!)
                                : `${money(Math.min(...prices))} – ${money(Math.max(...prices))}`)}
                          </td>
                          <td>{date(product.updatedAt, true)}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              <Pager pagination={answer.pagination} onPage={(next) => set({ page: String(next) })} />
            </>
          )
        }
      </Answer>
    </>
  );
}
