import { useI18n } from "../../app/i18n/i18n";
import type { SessionReport } from "../types";

/** An X report (running) or a Z report (closed): sales, discounts, tenders, VAT, returns, cash expected, counted, variance. */
export function ReportView({ report }: { report: SessionReport }) {
  const { t, money, date, rate } = useI18n();
  const rows: [string, string][] = [
    [t("pos.report.openedAt"), date(report.openedAt)],
    [t("pos.report.openingFloat"), money(report.openingFloat)],
    [t("pos.report.sales"), `${report.salesCount} · ${money(report.salesTotal)}`],
    [t("pos.report.discounts"), money(report.discountTotal)],
    [t("pos.report.returns"), `${report.returnsCount} · ${money(report.returnsTotal)}`],
    [t("pos.report.voids"), `${report.voidsCount} · ${money(report.voidsTotal)}`],
    [
      t("pos.report.movements"),
      t("pos.report.movementsValue", {
        count: report.cashMovements.count,
        in: money(report.cashMovements.in),
        out: money(report.cashMovements.out),
      }),
    ],
    [t("pos.report.cashTaken"), money(report.cashTaken)],
    [t("pos.report.changeGiven"), money(report.changeGiven)],
    [t("pos.report.cashRefunds"), money(report.cashRefunds)],
    [t("pos.report.expected"), money(report.expectedCash)],
  ];
  if (report.countedCash !== null) rows.push([t("pos.report.counted"), money(report.countedCash)]);
  return (
    <div className="pos-report">
      <dl className="pos-report-rows">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
        {report.variance !== null && (
          <div className={report.variance === 0 ? "pos-variance-ok" : "pos-variance-off"}>
            <dt>{t("pos.report.variance")}</dt>
            <dd data-testid="pos-variance">
              {report.variance > 0 ? "+" : ""}
              {money(report.variance)}
            </dd>
          </div>
        )}
      </dl>
      <div className="pos-report-tables">
        <table>
          <caption>{t("pos.report.byTender")}</caption>
          <tbody>
            {report.byTender.map((x) => (
              <tr key={x.method}>
                <th scope="row">{t(`pos.tender.${x.method}`)}</th>
                <td className="num">{money(x.amount)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table>
          <caption>{t("pos.report.byVat")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("pos.receipt.vat")}</th>
              <th scope="col" className="num">
                {t("pos.receipt.base")}
              </th>
              <th scope="col" className="num">
                {t("pos.receipt.vatAmount")}
              </th>
              <th scope="col" className="num">
                {t("pos.sale.total")}
              </th>
            </tr>
          </thead>
          <tbody>
            {report.byVatRate.map((v) => (
              <tr key={v.rate}>
                <th scope="row">{rate(v.rate)}</th>
                <td className="num">{money(v.base)}</td>
                <td className="num">{money(v.vat)}</td>
                <td className="num">{money(v.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
