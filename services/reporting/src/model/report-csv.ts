import type { reportingHttp } from "@comptoir/contracts/http";
import { type CsvColumn, type Separator, toCsv } from "./csv";

/** Each report as a CSV table (csv.ts writes it): its columns, amounts in euros. */

type SalesLine = reportingHttp.SalesFigures & { key: string; label: string };

const vatRateLabel = (rate: number) => `${rate / 100}%`;

export function salesCsv(report: reportingHttp.SalesReport, separator: Separator): string {
  const rates = [...new Set([...report.data, report.totals].flatMap((r) => r.vat.map((v) => v.rate)))].sort(
    (a, b) => b - a,
  );
  const columns: CsvColumn<SalesLine>[] = [
    { header: "key", kind: "text", value: (r) => r.key },
    { header: "label", kind: "text", value: (r) => r.label },
    { header: "revenue", kind: "amount", value: (r) => r.revenue },
    { header: "revenue excl. VAT", kind: "amount", value: (r) => r.revenueExclVat },
    { header: "VAT", kind: "amount", value: (r) => r.vat.reduce((s, v) => s + v.vat, 0) },
    ...rates.map((rate): CsvColumn<SalesLine> => ({
      header: `VAT ${vatRateLabel(rate)}`,
      kind: "amount",
      value: (r) => r.vat.find((v) => v.rate === rate)?.vat ?? 0,
    })),
    { header: "transactions", kind: "integer", value: (r) => r.transactions },
    { header: "units", kind: "integer", value: (r) => r.units },
    { header: "average basket", kind: "amount", value: (r) => r.averageBasket },
    { header: "discounts", kind: "amount", value: (r) => r.discounts },
    { header: "returns", kind: "amount", value: (r) => r.returns },
    { header: "refunds", kind: "amount", value: (r) => r.refunds },
    { header: "net revenue", kind: "amount", value: (r) => r.netRevenue },
  ];
  return toCsv(columns, [...report.data, { key: "total", label: "Total", ...report.totals }], separator);
}

export function topProductsCsv(report: reportingHttp.TopProductsReport, separator: Separator): string {
  type Row = reportingHttp.TopProductsReport["data"][number];
  const columns: CsvColumn<Row>[] = [
    { header: "product id", kind: "text", value: (r) => r.productId },
    { header: "name", kind: "text", value: (r) => r.name },
    { header: "category", kind: "text", value: (r) => r.category },
    { header: "units", kind: "integer", value: (r) => r.units },
    { header: "revenue", kind: "amount", value: (r) => r.revenue },
    { header: "units returned", kind: "integer", value: (r) => r.unitsReturned },
    { header: "returns", kind: "amount", value: (r) => r.returns },
  ];
  return toCsv(columns, report.data, separator);
}

/** One record per figure: the period's value, the previous period's, the change in %. */
export function indicatorsCsv(report: reportingHttp.StoreIndicators, separator: Separator): string {
  type Row = {
    figure: string;
    kind: "amount" | "integer" | "decimal";
    current: number | null;
    previous: number | null;
    change: number | null;
  };
  const figure = (name: keyof reportingHttp.StoreIndicators["change"], kind: Row["kind"]): Row => ({
    figure: name,
    kind,
    current: report[name],
    previous: report.previous[name],
    change: report.change[name],
  });
  const rows: Row[] = [
    figure("revenue", "amount"),
    figure("transactions", "integer"),
    figure("averageBasket", "amount"),
    figure("unitsPerTransaction", "decimal"),
    figure("returnRate", "decimal"),
    figure("discountRate", "decimal"),
    figure("cashVariance", "amount"),
    figure("salesPerOpeningHour", "amount"),
  ];
  for (const hour of report.salesByHour) {
    const previous = report.previous.salesByHour[hour.hour];
    const slot = `${String(hour.hour).padStart(2, "0")}h`;
    rows.push(
      {
        figure: `revenue ${slot}`,
        kind: "amount",
        current: hour.revenue,
        previous: previous?.revenue ?? 0,
        change: null,
      },
      {
        figure: `transactions ${slot}`,
        kind: "integer",
        current: hour.transactions,
        previous: previous?.transactions ?? 0,
        change: null,
      },
    );
  }
  const columns: CsvColumn<Row>[] = [
    { header: "figure", kind: "text", value: (r) => r.figure },
    { header: `${report.from} to ${report.to}`, kind: (r) => r.kind, value: (r) => r.current },
    { header: `${report.previous.from} to ${report.previous.to}`, kind: (r) => r.kind, value: (r) => r.previous },
    { header: "change %", kind: "decimal", value: (r) => r.change },
  ];
  return toCsv(columns, rows, separator);
}
