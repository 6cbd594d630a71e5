import { useId } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { ProblemError } from "../../app/api/client";
import { ErrorMessage } from "../../app/errors";
import { useI18n } from "../../app/i18n/i18n";
import { useDocumentTitle } from "../../app/ui";
import { ColumnChart } from "../charts";
import { CsvButtons, PeriodPicker, Section } from "../components";
import { useReport, useScope, useStores } from "../data";
import { useFormat } from "../format";
import { usePeriod } from "../period";
import type { Indicators } from "../types";

/** /dashboards/store/:storeId: a store's indicators against the previous period, and its sales per hour. */
export default function StorePage() {
  const { t } = useI18n();
  const scope = useScope();
  const stores = useStores();
  const navigate = useNavigate();
  const id = useId();
  const [period, setPeriod] = usePeriod();
  const params = useParams();
  // A manager's own store by default; an admin's first store.
  const storeId = params.storeId ?? scope.storeId ?? stores.data?.data[0]?.id;
  const query = { from: period.from, to: period.to };
  const indicators = useReport(
    ["indicators", storeId, query],
    (client) =>
      client.reporting.GET("/api/reporting/stores/{id}/indicators", {
        params: { path: { id: storeId! }, query },
      }),
    storeId !== undefined,
  );
  useDocumentTitle(t("dashboards.store.title"));
  const refused = indicators.error instanceof ProblemError && indicators.error.status === 403;
  const ownStore = scope.storeId !== null && storeId === scope.storeId;

  return (
    <>
      <h1>{t("dashboards.store.title")}</h1>
      <div className="dash-controls">
        <PeriodPicker period={period} onChange={setPeriod} />
        {scope.isAdmin && (
          <div className="dash-filters">
            <div className="field">
              <label htmlFor={`${id}-store`}>{t("dashboards.store.pick")}</label>
              <select
                id={`${id}-store`}
                value={storeId ?? ""}
                onChange={(e) =>
                  navigate({ pathname: `/dashboards/store/${e.target.value}`, search: window.location.search })
                }
              >
                {stores.data?.data.map((store) => (
                  <option key={store.id} value={store.id}>
                    {store.name} ({store.code})
                  </option>
                ))}
              </select>
            </div>
          </div>
        )}
      </div>
      {stores.error !== null && scope.isAdmin && <ErrorMessage error={stores.error} />}
      {refused ? (
        <div className="alert alert-error" role="alert">
          <p>{t(scope.isAdmin ? "error.forbidden" : "dashboards.store.notYours")}</p>
          {scope.storeId && (
            <p>
              <Link to={{ pathname: `/dashboards/store/${scope.storeId}`, search: window.location.search }}>
                {t("dashboards.store.backToOwn")}
              </Link>
            </p>
          )}
        </div>
      ) : indicators.error ? (
        <ErrorMessage error={indicators.error} onRetry={() => void indicators.refetch()} />
      ) : indicators.data ? (
        <Figures report={indicators.data} query={query} ownStore={ownStore} />
      ) : storeId === undefined && !stores.isPending ? (
        <p className="empty">{t("dashboards.store.none")}</p>
      ) : (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" />
          {t("app.loading")}
        </p>
      )}
    </>
  );
}

const FIGURES = [
  "revenue",
  "transactions",
  "averageBasket",
  "unitsPerTransaction",
  "returnRate",
  "discountRate",
  "cashVariance",
  "salesPerOpeningHour",
] as const;

function Figures({
  report,
  query,
  ownStore,
}: {
  report: Indicators;
  query: { from: string; to: string };
  ownStore: boolean;
}) {
  const { t } = useI18n();
  const fmt = useFormat();
  const show = (name: (typeof FIGURES)[number], figures: Indicators | Indicators["previous"]) => {
    const value = figures[name];
    if (name === "returnRate" || name === "discountRate") return fmt.ratio(value);
    if (name === "transactions" || name === "unitsPerTransaction") return fmt.number(value);
    if (value === null) return "—";
    return name === "salesPerOpeningHour"
      ? t("dashboards.store.perHour", { amount: fmt.money(value) })
      : fmt.money(value);
  };
  const what = t("dashboards.store.indicatorsOf", { name: report.store.name });
  return (
    <>
      <p className="lead">
        {ownStore ? t("dashboards.store.yours", { name: report.store.name }) : report.store.name} ({report.store.code},{" "}
        {report.store.timezone})
      </p>
      <Section
        title={what}
        actions={
          <CsvButtons
            what={what}
            fallbackName={`indicators-${report.store.code}-${query.from}-${query.to}.csv`}
            request={(client, sep) =>
              client.reporting.GET("/api/reporting/stores/{id}/indicators", {
                params: { path: { id: report.store.id }, query: { ...query, format: "csv", sep } },
                parseAs: "blob",
              })
            }
          />
        }
      >
        <div className="dash-scroll">
          <table className="dash-table">
            <caption className="visually-hidden">{what}</caption>
            <thead>
              <tr>
                <th scope="col">{t("dashboards.store.figure")}</th>
                <th scope="col" className="num">
                  {t("dashboards.store.current", { from: report.from, to: report.to })}
                </th>
                <th scope="col" className="num">
                  {t("dashboards.store.previous", { from: report.previous.from, to: report.previous.to })}
                </th>
                <th scope="col" className="num">
                  {t("dashboards.store.change")}
                </th>
              </tr>
            </thead>
            <tbody>
              {FIGURES.map((name) => {
                const change = report.change[name];
                return (
                  <tr key={name}>
                    <th scope="row">{t(`dashboards.figure.${name}`)}</th>
                    <td className="num">{show(name, report)}</td>
                    <td className="num">{show(name, report.previous)}</td>
                    <td
                      className={`num ${change === null ? "" : change > 0 ? "dash-up" : change < 0 ? "dash-down" : ""}`}
                    >
                      {fmt.change(change)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        {report.salesPerOpeningHour === null && <p className="hint">{t("dashboards.store.noHours")}</p>}
      </Section>
      <Section title={t("dashboards.store.byHour")}>
        <ColumnChart
          title={t("dashboards.store.byHour")}
          valueLabel={t("dashboards.figure.revenue")}
          format={(v) => fmt.money(v)}
          bars={report.salesByHour.map((h) => ({
            key: String(h.hour),
            label: t("dashboards.store.hour", { hour: h.hour }),
            value: h.revenue,
          }))}
        />
      </Section>
    </>
  );
}
