import { useId, useState } from "react";
import { useI18n } from "../../app/i18n/i18n";
import { useDocumentTitle } from "../../app/ui";
import { Answer, CsvButtons, Section } from "../components";
import { useReport, useScope, useStores } from "../data";
import { useFormat } from "../format";
import type { StockQuery, StockStatus } from "../types";

const STATUSES: StockStatus[] = ["out", "low", "overstock", "ok"];
const LIMIT = 25;

/** /dashboards/stock: stock per location and variant, problems first, with status badges, paged. */
export default function StockPage() {
  const { t } = useI18n();
  const scope = useScope();
  const stores = useStores();
  const fmt = useFormat();
  const id = useId();
  const [store, setStore] = useState(scope.storeId ?? "");
  const [status, setStatus] = useState<StockStatus | "">("");
  const [page, setPage] = useState(1);
  useDocumentTitle(t("dashboards.stock.title"));
  const filters: StockQuery = { ...(store ? { storeId: store } : {}), ...(status ? { status } : {}) };
  const stock = useReport(["stock", filters, page], (client) =>
    client.reporting.GET("/api/reporting/stock", { params: { query: { ...filters, page, limit: LIMIT } } }),
  );
  const storeName = (storeId: string | null) =>
    storeId === null ? "—" : (stores.data?.data.find((s) => s.id === storeId)?.name ?? storeId.slice(0, 8));

  return (
    <>
      <h1>{t("dashboards.stock.title")}</h1>
      <div className="dash-filters">
        {scope.isAdmin && (
          <div className="field">
            <label htmlFor={`${id}-store`}>{t("dashboards.stock.store")}</label>
            <select
              id={`${id}-store`}
              value={store}
              onChange={(e) => {
                setStore(e.target.value);
                setPage(1);
              }}
            >
              <option value="">{t("dashboards.stock.everywhere")}</option>
              {stores.data?.data.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="field">
          <label htmlFor={`${id}-status`}>{t("dashboards.stock.status")}</label>
          <select
            id={`${id}-status`}
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as StockStatus | "");
              setPage(1);
            }}
          >
            <option value="">{t("dashboards.stock.anyStatus")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`dashboards.stock.status.${s}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <Section
        title={t("dashboards.stock.table")}
        actions={
          <CsvButtons
            what={t("dashboards.stock.table")}
            fallbackName="stock.csv"
            request={(client, sep) =>
              client.reporting.GET("/api/reporting/stock", {
                params: { query: { ...filters, format: "csv", sep } },
                parseAs: "blob",
              })
            }
          />
        }
      >
        <Answer query={stock}>
          {(answer) => {
            const pages = Math.max(1, Math.ceil(answer.pagination.total / answer.pagination.limit));
            return answer.data.length === 0 ? (
              <p className="empty">{t("dashboards.stock.none")}</p>
            ) : (
              <>
                <div className="dash-scroll">
                  <table className="dash-table">
                    <caption className="visually-hidden">{t("dashboards.stock.table")}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t("dashboards.stock.product")}</th>
                        <th scope="col">{t("dashboards.stock.location")}</th>
                        <th scope="col">{t("dashboards.stock.status")}</th>
                        <th scope="col" className="num">
                          {t("dashboards.stock.onHand")}
                        </th>
                        <th scope="col" className="num">
                          {t("dashboards.stock.available")}
                        </th>
                        <th scope="col" className="num">
                          {t("dashboards.stock.threshold")}
                        </th>
                        <th scope="col" className="num">
                          {t("dashboards.stock.sold28d")}
                        </th>
                        <th scope="col" className="num">
                          {t("dashboards.stock.cover")}
                        </th>
                        <th scope="col" className="num">
                          {t("dashboards.stock.incoming")}
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {answer.data.map((row) => (
                        <tr key={`${row.locationId}/${row.variantId}`}>
                          <th scope="row">
                            {row.productName ?? row.variantId.slice(0, 8)}
                            {row.sku && <span className="dash-sku"> {row.sku}</span>}
                          </th>
                          <td>
                            {row.locationKind === "store"
                              ? storeName(row.storeId)
                              : t(`dashboards.stock.kind.${row.locationKind}`)}
                          </td>
                          <td>
                            <span className={`dash-badge dash-badge-${row.status}`}>
                              {t(`dashboards.stock.status.${row.status}`)}
                            </span>
                          </td>
                          <td className="num">{fmt.number(row.onHand)}</td>
                          <td className="num">{fmt.number(row.available)}</td>
                          <td className="num">{fmt.number(row.lowStockThreshold)}</td>
                          <td className="num">{fmt.number(row.unitsSold28d)}</td>
                          <td className="num">{fmt.number(row.daysOfCover)}</td>
                          <td className="num">{fmt.number(row.incoming)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <nav className="dash-pages" aria-label={t("dashboards.stock.pages")}>
                  <button
                    type="button"
                    className="button button-secondary dash-small"
                    disabled={page <= 1}
                    onClick={() => setPage(page - 1)}
                  >
                    {t("search.previous")}
                  </button>
                  <span aria-live="polite">
                    {t("search.page", { page: answer.pagination.page, pages })} ·{" "}
                    {t("dashboards.stock.rows", { count: answer.pagination.total })}
                  </span>
                  <button
                    type="button"
                    className="button button-secondary dash-small"
                    disabled={page >= pages}
                    onClick={() => setPage(page + 1)}
                  >
                    {t("search.next")}
                  </button>
                </nav>
              </>
            );
          }}
        </Answer>
      </Section>
    </>
  );
}
