import type { reportingConversionHttp } from "@comptoir/contracts/http";
import { type CsvColumn, type Separator, toCsv } from "./csv";

type ConversionDay = reportingConversionHttp.ConversionDay;

/** The conversion funnel as a CSV table (csv.ts writes it): one record per day, then a `total` record. */
const COLUMNS: readonly CsvColumn<ConversionDay>[] = [
  { header: "day", kind: "text", value: (r) => r.day },
  { header: "carts created", kind: "integer", value: (r) => r.cartsCreated },
  { header: "carts filled", kind: "integer", value: (r) => r.cartsFilled },
  { header: "checkouts started", kind: "integer", value: (r) => r.checkoutsStarted },
  { header: "orders paid", kind: "integer", value: (r) => r.ordersPaid },
  { header: "fill rate", kind: "decimal", value: (r) => r.fillRate },
  { header: "checkout rate", kind: "decimal", value: (r) => r.checkoutRate },
  { header: "payment rate", kind: "decimal", value: (r) => r.paymentRate },
  { header: "conversion rate", kind: "decimal", value: (r) => r.conversionRate },
  { header: "abandonment rate", kind: "decimal", value: (r) => r.abandonmentRate },
];

export function conversionCsv(report: reportingConversionHttp.ConversionReport, separator: Separator): string {
  return toCsv(COLUMNS, [...report.data, { day: "total", ...report.totals }], separator);
}
