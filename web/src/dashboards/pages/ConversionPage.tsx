import { useI18n } from "../../app/i18n/i18n";
import { useDocumentTitle } from "../../app/ui";
import { ColumnChart, InlineBar } from "../charts";
import { Answer, CsvButtons, PeriodPicker, Section } from "../components";
import { useReport, useScope } from "../data";
import { useFormat } from "../format";
import { usePeriod } from "../period";
import type { ConversionReport } from "../types";

const STEPS = ["cartsCreated", "cartsFilled", "checkoutsStarted", "ordersPaid"] as const;
const RATES = ["fillRate", "checkoutRate", "paymentRate", "conversionRate", "abandonmentRate"] as const;

/** /dashboards/conversion (admins): the online funnel, carts created → filled → checkouts → paid, by day. */
export default function ConversionPage() {
  const { t } = useI18n();
  const scope = useScope();
  const [period, setPeriod] = usePeriod();
  const query = { from: period.from, to: period.to };
  const funnel = useReport(
    ["conversion", query],
    (client) => client.reporting.GET("/api/reporting/conversion", { params: { query } }),
    scope.isAdmin,
  );
  useDocumentTitle(t("dashboards.conversion.title"));
  return (
    <>
      <h1>{t("dashboards.conversion.title")}</h1>
      {!scope.isAdmin ? (
        <p className="alert alert-error" role="alert">
          {t("dashboards.conversion.adminOnly")}
        </p>
      ) : (
        <>
          <div className="dash-controls">
            <PeriodPicker period={period} onChange={setPeriod} />
          </div>
          <Section
            title={t("dashboards.conversion.funnel")}
            actions={
              <CsvButtons
                what={t("dashboards.conversion.funnel")}
                fallbackName={`conversion-${period.from}-${period.to}.csv`}
                request={(client, sep) =>
                  client.reporting.GET("/api/reporting/conversion", {
                    params: { query: { ...query, format: "csv", sep } },
                    parseAs: "blob",
                  })
                }
              />
            }
          >
            <Answer query={funnel}>{(report) => <Funnel report={report} />}</Answer>
          </Section>
        </>
      )}
    </>
  );
}

function Funnel({ report }: { report: ConversionReport }) {
  const { t } = useI18n();
  const fmt = useFormat();
  const totals = report.totals;
  return (
    <>
      <table className="dash-table dash-funnel">
        <caption className="visually-hidden">{t("dashboards.conversion.funnel")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("dashboards.conversion.step")}</th>
            <th scope="col" className="num">
              {t("dashboards.conversion.count")}
            </th>
            <th scope="col" className="dash-bar-cell">
              <span className="visually-hidden">{t("dashboards.chart.bar")}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {STEPS.map((step) => (
            <tr key={step}>
              <th scope="row">{t(`dashboards.conversion.${step}`)}</th>
              <td className="num">{fmt.number(totals[step])}</td>
              <td className="dash-bar-cell">
                <InlineBar value={totals[step]} max={totals.cartsCreated} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="dash-cards">
        {RATES.map((rate) => (
          <div className="dash-card" key={rate}>
            <dt>{t(`dashboards.conversion.${rate}`)}</dt>
            <dd>{fmt.ratio(totals[rate])}</dd>
          </div>
        ))}
      </dl>
      <ColumnChart
        title={t("dashboards.conversion.paidByDay")}
        valueLabel={t("dashboards.conversion.ordersPaid")}
        format={(v) => fmt.number(v)}
        bars={report.data.map((d) => ({ key: d.day, label: d.day.slice(5), value: d.ordersPaid }))}
      />
      <details className="dash-data">
        <summary>{t("dashboards.conversion.byDay")}</summary>
        <div className="dash-scroll">
          <table className="dash-table">
            <caption className="visually-hidden">{t("dashboards.conversion.byDay")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("dashboards.chart.period")}</th>
                {STEPS.map((step) => (
                  <th scope="col" className="num" key={step}>
                    {t(`dashboards.conversion.${step}`)}
                  </th>
                ))}
                <th scope="col" className="num">
                  {t("dashboards.conversion.conversionRate")}
                </th>
              </tr>
            </thead>
            <tbody>
              {report.data.map((d) => (
                <tr key={d.day}>
                  <th scope="row">{d.day}</th>
                  {STEPS.map((step) => (
                    <td className="num" key={step}>
                      {fmt.number(d[step])}
                    </td>
                  ))}
                  <td className="num">{fmt.ratio(d.conversionRate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}
