import { useId, useState } from "react";
import { useI18n } from "../../app/i18n/i18n";
import { useDocumentTitle } from "../../app/ui";
import { type Bar, ColumnChart, InlineBar } from "../charts";
import { Answer, CsvButtons, PeriodPicker, Section } from "../components";
import { useReport, useScope, useStores } from "../data";
import { useFormat } from "../format";
import { eachDay, naturalGroupBy, usePeriod } from "../period";
import type { SalesQuery, SalesReport } from "../types";

const GROUPINGS = ["day", "week", "month"] as const;

/** /dashboards: the period's sales over time, by store and channel, their totals and the top products. */
export default function OverviewPage() {
  const { t } = useI18n();
  const scope = useScope();
  const stores = useStores();
  const fmt = useFormat();
  const id = useId();
  const [period, setPeriod] = usePeriod();
  const [chosenGroupBy, setGroupBy] = useState<(typeof GROUPINGS)[number] | null>(null);
  // An admin reads everything or narrows to a channel or a store; a manager always names their store.
  const [filter, setFilter] = useState("");
  useDocumentTitle(t("dashboards.overview.title"));

  const groupBy = chosenGroupBy ?? naturalGroupBy(period);
  const scoped: Pick<SalesQuery, "storeId" | "channel"> = scope.storeId
    ? { storeId: scope.storeId }
    : filter === "online"
      ? { channel: "online" }
      : filter
        ? { storeId: filter }
        : {};
  const base = { from: period.from, to: period.to, ...scoped };
  const overTime = useReport(["sales", base, groupBy], (client) =>
    client.reporting.GET("/api/reporting/sales", { params: { query: { ...base, groupBy } } }),
  );
  const byStoreQuery = { from: period.from, to: period.to, ...(scope.storeId ? { storeId: scope.storeId } : {}) };
  const byStore = useReport(["sales", byStoreQuery, "store"], (client) =>
    client.reporting.GET("/api/reporting/sales", { params: { query: { ...byStoreQuery, groupBy: "store" } } }),
  );
  const top = useReport(["top", base], (client) =>
    client.reporting.GET("/api/reporting/top-products", { params: { query: { ...base, limit: 10 } } }),
  );
  const salesName = `sales-${period.from}-${period.to}.csv`;

  return (
    <>
      <h1>{t("dashboards.overview.title")}</h1>
      <div className="dash-controls">
        <PeriodPicker period={period} onChange={setPeriod} />
        <div className="dash-filters">
          {scope.isAdmin && (
            <div className="field">
              <label htmlFor={`${id}-filter`}>{t("dashboards.overview.filter")}</label>
              <select id={`${id}-filter`} value={filter} onChange={(e) => setFilter(e.target.value)}>
                <option value="">{t("dashboards.overview.all")}</option>
                <option value="online">{t("dashboards.channel.online")}</option>
                {stores.data?.data.map((store) => (
                  <option key={store.id} value={store.id}>
                    {store.name}
                  </option>
                ))}
              </select>
            </div>
          )}
          <div className="field">
            <label htmlFor={`${id}-group`}>{t("dashboards.overview.groupBy")}</label>
            <select
              id={`${id}-group`}
              value={groupBy}
              onChange={(e) => setGroupBy(e.target.value as (typeof GROUPINGS)[number])}
            >
              {GROUPINGS.map((g) => (
                <option key={g} value={g}>
                  {t(`dashboards.groupBy.${g}`)}
                </option>
              ))}
            </select>
          </div>
        </div>
      </div>

      <Answer query={overTime}>{(report) => <Totals report={report} />}</Answer>

      <Section
        title={t("dashboards.overview.overTime")}
        actions={
          <CsvButtons
            what={t("dashboards.overview.overTime")}
            fallbackName={salesName}
            request={(client, sep) =>
              client.reporting.GET("/api/reporting/sales", {
                params: { query: { ...base, groupBy, format: "csv", sep } },
                parseAs: "blob",
              })
            }
          />
        }
      >
        <Answer query={overTime}>
          {(report) => (
            <ColumnChart
              title={t("dashboards.overview.overTime")}
              valueLabel={t("dashboards.figure.revenue")}
              format={(v) => fmt.money(v)}
              bars={
                groupBy === "day"
                  ? // Every day of the period, those without sales at 0.
                    eachDay(report.from, report.to).map((day): Bar => {
                      const row = report.data.find((r) => r.key === day);
                      return { key: day, label: row?.label ?? day, value: row?.revenue ?? 0 };
                    })
                  : report.data.map((row): Bar => ({ key: row.key, label: row.label, value: row.revenue }))
              }
            />
          )}
        </Answer>
      </Section>

      <Section
        title={t("dashboards.overview.byStore")}
        actions={
          <CsvButtons
            what={t("dashboards.overview.byStore")}
            fallbackName={salesName}
            request={(client, sep) =>
              client.reporting.GET("/api/reporting/sales", {
                params: { query: { ...byStoreQuery, groupBy: "store", format: "csv", sep } },
                parseAs: "blob",
              })
            }
          />
        }
      >
        <Answer query={byStore}>{(report) => <ByStore report={report} />}</Answer>
      </Section>

      <Section
        title={t("dashboards.overview.top")}
        actions={
          <CsvButtons
            what={t("dashboards.overview.top")}
            fallbackName={`top-products-${period.from}-${period.to}.csv`}
            request={(client, sep) =>
              client.reporting.GET("/api/reporting/top-products", {
                params: { query: { ...base, limit: 10, format: "csv", sep } },
                parseAs: "blob",
              })
            }
          />
        }
      >
        <Answer query={top}>
          {(report) =>
            report.data.length === 0 ? (
              <p className="empty">{t("dashboards.chart.empty")}</p>
            ) : (
              <div className="dash-scroll">
                <table className="dash-table">
                  <caption className="visually-hidden">{t("dashboards.overview.top")}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t("dashboards.top.product")}</th>
                      <th scope="col">{t("dashboards.top.category")}</th>
                      <th scope="col" className="num">
                        {t("dashboards.figure.units")}
                      </th>
                      <th scope="col" className="num">
                        {t("dashboards.figure.revenue")}
                      </th>
                      <th scope="col" className="dash-bar-cell">
                        <span className="visually-hidden">{t("dashboards.chart.bar")}</span>
                      </th>
                      <th scope="col" className="num">
                        {t("dashboards.figure.returns")}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.data.map((p) => (
                      <tr key={p.productId}>
                        <th scope="row">{p.name}</th>
                        <td>{p.category ?? "—"}</td>
                        <td className="num">{fmt.number(p.units)}</td>
                        <td className="num">{fmt.money(p.revenue)}</td>
                        <td className="dash-bar-cell">
                          <InlineBar value={p.revenue} max={report.data[0]?.revenue ?? 0} />
                        </td>
                        <td className="num">{fmt.money(p.returns)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </Answer>
      </Section>
    </>
  );
}

/** The period's totals: revenue, transactions, average basket, returns, refunds, net revenue. */
function Totals({ report }: { report: SalesReport }) {
  const { t } = useI18n();
  const fmt = useFormat();
  const totals = report.totals;
  const figures = [
    ["revenue", fmt.money(totals.revenue)],
    ["transactions", fmt.number(totals.transactions)],
    ["averageBasket", totals.averageBasket === null ? "—" : fmt.money(totals.averageBasket)],
    ["returns", fmt.money(totals.returns)],
    ["refunds", fmt.money(totals.refunds)],
    ["netRevenue", fmt.money(totals.netRevenue)],
  ] as const;
  return (
    <>
      <h2 className="visually-hidden">{t("dashboards.overview.totals")}</h2>
      <dl className="dash-cards">
        {figures.map(([name, value]) => (
          <div className="dash-card" key={name}>
            <dt>{t(`dashboards.figure.${name}`)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}

/** Revenue by store and channel, each row with its bar. */
function ByStore({ report }: { report: SalesReport }) {
  const { t } = useI18n();
  const fmt = useFormat();
  if (report.data.length === 0) return <p className="empty">{t("dashboards.chart.empty")}</p>;
  const max = Math.max(...report.data.map((r) => r.revenue));
  return (
    <div className="dash-scroll">
      <table className="dash-table">
        <caption className="visually-hidden">{t("dashboards.overview.byStore")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("dashboards.overview.storeOrChannel")}</th>
            <th scope="col" className="num">
              {t("dashboards.figure.revenue")}
            </th>
            <th scope="col" className="dash-bar-cell">
              <span className="visually-hidden">{t("dashboards.chart.bar")}</span>
            </th>
            <th scope="col" className="num">
              {t("dashboards.figure.transactions")}
            </th>
            <th scope="col" className="num">
              {t("dashboards.figure.averageBasket")}
            </th>
            <th scope="col" className="num">
              {t("dashboards.figure.netRevenue")}
            </th>
          </tr>
        </thead>
        <tbody>
          {report.data.map((row) => (
            <tr key={row.key}>
              <th scope="row">{row.key === "online" ? t("dashboards.channel.online") : row.label}</th>
              <td className="num">{fmt.money(row.revenue)}</td>
              <td className="dash-bar-cell">
                <InlineBar value={row.revenue} max={max} />
              </td>
              <td className="num">{fmt.number(row.transactions)}</td>
              <td className="num">{row.averageBasket === null ? "—" : fmt.money(row.averageBasket)}</td>
              <td className="num">{fmt.money(row.netRevenue)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
