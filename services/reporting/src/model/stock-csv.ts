import type { reportingStockHttp } from "@comptoir/contracts/http";
import { type CsvColumn, type Separator, toCsv } from "./csv";
import { dailySales } from "./stock-status";

type StockReportRow = reportingStockHttp.StockReportRow;

/** The stock report as a CSV table (csv.ts writes it): ids, figures, the pace next to the days of cover. */
const COLUMNS: readonly CsvColumn<StockReportRow>[] = [
  { header: "store id", kind: "text", value: (r) => r.storeId },
  { header: "location id", kind: "text", value: (r) => r.locationId },
  { header: "location kind", kind: "text", value: (r) => r.locationKind },
  { header: "variant id", kind: "text", value: (r) => r.variantId },
  { header: "product id", kind: "text", value: (r) => r.productId },
  { header: "sku", kind: "text", value: (r) => r.sku },
  { header: "product", kind: "text", value: (r) => r.productName },
  { header: "on hand", kind: "integer", value: (r) => r.onHand },
  { header: "available", kind: "integer", value: (r) => r.available },
  { header: "low stock threshold", kind: "integer", value: (r) => r.lowStockThreshold },
  { header: "units sold 28 days", kind: "integer", value: (r) => r.unitsSold28d },
  { header: "units per day", kind: "decimal", value: (r) => Math.round(dailySales(r.unitsSold28d) * 100) / 100 },
  { header: "days of cover", kind: "decimal", value: (r) => r.daysOfCover },
  { header: "status", kind: "text", value: (r) => r.status },
  { header: "incoming", kind: "integer", value: (r) => r.incoming },
  { header: "updated at", kind: "text", value: (r) => r.updatedAt },
];

export function stockCsv(rows: readonly StockReportRow[], separator: Separator): string {
  return toCsv(COLUMNS, rows, separator);
}
