import { useState } from "react";
import { useSession } from "../../app/auth/session";
import { useI18n } from "../../app/i18n/i18n";
import type { Variant } from "../types";
import { Answer, Field, Outcome, Pager, parseAmount, parsePairs, useAction, useRead } from "../ui";
import { amountField, pairsText, type VariantDraft, VariantFields } from "./parts";

/**
 * One variant: its options, barcode and compare-at price (`PATCH /api/catalog/variants/{id}`), its
 * price (`PUT …/price`, kept in its history) and that history (`GET …/price-history`).
 */
export function VariantPanel({ variant, readOnly }: { variant: Variant; readOnly: boolean }) {
  const { t, lang, money } = useI18n();
  const { call } = useSession();
  const [draft, setDraft] = useState<VariantDraft>(() => ({
    sku: variant.sku,
    barcode: variant.barcode ?? "",
    price: "",
    compareAtPrice: amountField(variant.compareAtPrice, lang),
    options: pairsText(variant.options),
  }));
  const [price, setPrice] = useState(() => amountField(variant.price, lang));
  const [invalid, setInvalid] = useState(false);
  const save = useAction();
  const reprice = useAction();
  const options = pairsText(variant.options).replace(/\n/g, " · ");

  return (
    <article className="bo-subpanel" aria-labelledby={`variant-${variant.id}`}>
      <h3 id={`variant-${variant.id}`}>
        <span className="bo-code">{variant.sku}</span>
        {options && <span className="muted"> — {options}</span>}
      </h3>
      <p className="bo-facts">
        <span>{t("backoffice.catalog.priceIs", { price: money(variant.price, variant.currency) })}</span>
        {variant.compareAtPrice !== null && (
          <span>{t("backoffice.catalog.compareAtIs", { price: money(variant.compareAtPrice, variant.currency) })}</span>
        )}
        <span>{t("backoffice.catalog.barcodeIs", { barcode: variant.barcode ?? "—" })}</span>
      </p>
      {!readOnly && (
        <>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              const compareAt = draft.compareAtPrice.trim() ? parseAmount(draft.compareAtPrice) : null;
              setInvalid(compareAt === null && draft.compareAtPrice.trim() !== "");
              if (compareAt === null && draft.compareAtPrice.trim() !== "") return;
              void save.run(async () => {
                await call((client) =>
                  client.catalog.PATCH("/api/catalog/variants/{id}", {
                    params: { path: { id: variant.id } },
                    body: {
                      ...(draft.barcode.trim() && draft.barcode.trim() !== variant.barcode
                        ? { barcode: draft.barcode.trim() }
                        : {}),
                      compareAtPrice: compareAt,
                      options: parsePairs(draft.options),
                    },
                  }),
                );
                return t("backoffice.catalog.variantSaved");
              });
            }}
          >
            <VariantFields draft={draft} onChange={setDraft} fixed />
            {invalid && (
              <p className="alert alert-error" role="alert">
                {t("backoffice.catalog.badPrice")}
              </p>
            )}
            <Outcome action={save} />
            <button type="submit" className="button button-secondary" disabled={save.busy}>
              {t("backoffice.catalog.saveVariant", { sku: variant.sku })}
            </button>
          </form>
          <form
            className="bo-inline-form"
            onSubmit={(event) => {
              event.preventDefault();
              const next = parseAmount(price);
              if (next === null) return setInvalid(true);
              setInvalid(false);
              void reprice.run(async () => {
                await call((client) =>
                  client.catalog.PUT("/api/catalog/variants/{id}/price", {
                    params: { path: { id: variant.id } },
                    body: { price: next },
                  }),
                );
                return t("backoffice.catalog.priceSaved");
              });
            }}
          >
            <Field label={t("backoffice.catalog.newPrice", { sku: variant.sku })}>
              {(ids) => (
                <input {...ids} required inputMode="decimal" value={price} onChange={(e) => setPrice(e.target.value)} />
              )}
            </Field>
            <button type="submit" className="button" disabled={reprice.busy}>
              {t("backoffice.catalog.changePrice")}
            </button>
          </form>
          <Outcome action={reprice} />
        </>
      )}
      <PriceHistory variantId={variant.id} />
    </article>
  );
}

/** The price changes, newest first, read when opened. */
function PriceHistory({ variantId }: { variantId: string }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{t("backoffice.catalog.priceHistory")}</summary>
      {open && <PriceHistoryTable variantId={variantId} />}
    </details>
  );
}

function PriceHistoryTable({ variantId }: { variantId: string }) {
  const { t, money, date } = useI18n();
  const [page, setPage] = useState(1);
  const history = useRead(["price-history", variantId, page], (client) =>
    client.catalog.GET("/api/catalog/variants/{id}/price-history", {
      params: { path: { id: variantId }, query: { page, limit: 10 } },
    }),
  );
  return (
    <Answer query={history}>
      {(answer) =>
        answer.data.length === 0 ? (
          <p className="empty">{t("backoffice.catalog.noPriceChange")}</p>
        ) : (
          <>
            <table className="bo-table">
              <caption className="visually-hidden">{t("backoffice.catalog.priceHistory")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("backoffice.catalog.changedAt")}</th>
                  <th scope="col" className="num">
                    {t("backoffice.catalog.oldPrice")}
                  </th>
                  <th scope="col" className="num">
                    {t("backoffice.catalog.newPriceCol")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {answer.data.map((change) => (
                  <tr key={change.id}>
                    <td>{date(change.changedAt)}</td>
                    <td className="num">{money(change.oldPrice, change.currency)}</td>
                    <td className="num">{money(change.newPrice, change.currency)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager pagination={answer.pagination} onPage={setPage} />
          </>
        )
      }
    </Answer>
  );
}
