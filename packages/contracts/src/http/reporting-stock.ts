import { type Static, Type } from "typebox";
import { LocationKind } from "../events/inventory.events";
import { endpoint } from "./endpoint";
import { CsvFormat } from "./reporting";
import { DateTime, Id, Nullable, Page, pageQuery } from "./schemas";

/** Reporting's stock status report (issue 20): per store (location) and variant. */

export const StockStatus = Type.Union(
  [Type.Literal("out"), Type.Literal("low"), Type.Literal("ok"), Type.Literal("overstock")],
  {
    description:
      "out: nothing available; low: available at or under the low-stock threshold; overstock: more days of " +
      "cover than REPORTING_OVERSTOCK_DAYS (default 90); ok: anything else",
  },
);
export type StockStatus = Static<typeof StockStatus>;

export const StockReportRow = Type.Object({
  /** The store the location belongs to; null for the warehouse and the online channel's location. */
  storeId: Nullable(Id),
  locationId: Id,
  locationKind: LocationKind,
  variantId: Id,
  /** Known when the variant's product is known to reporting; null otherwise. */
  productId: Nullable(Id),
  sku: Nullable(Type.String()),
  productName: Nullable(Type.String()),
  onHand: Type.Integer(),
  available: Type.Integer(),
  lowStockThreshold: Nullable(Type.Integer({ minimum: 0 })),
  unitsSold28d: Type.Integer({ minimum: 0, description: "units sold on the location's channel over the last 28 days" }),
  daysOfCover: Nullable(
    Type.Number({ description: "available ÷ (units sold over 28 days ÷ 28), one decimal; null when nothing sold" }),
  ),
  status: StockStatus,
  incoming: Type.Integer({
    minimum: 0,
    description: "units on their way: supply requests approved towards this location, not yet completed or failed",
  }),
  /** When inventory last changed this level (its event's instant); null when only incoming goods are known. */
  updatedAt: Nullable(DateTime),
});
export type StockReportRow = Static<typeof StockReportRow>;

export const StockReportQuery = Type.Object(
  {
    /** The store; a manager must name their own; an admin may leave it out (every location then). */
    storeId: Type.Optional(Id),
    status: Type.Optional(StockStatus),
    /** CSV (every row the filters select, no page) like the other reports: `format=csv` or Accept: text/csv. */
    ...CsvFormat,
    ...pageQuery(),
  },
  { additionalProperties: false },
);
export type StockReportQuery = Static<typeof StockReportQuery>;

/** `GET /api/reporting/stock` (reports:read): a manager sees their own store only. */
export const stockReport = endpoint({
  method: "GET",
  path: "/api/reporting/stock",
  query: StockReportQuery,
  responses: { 200: Page(StockReportRow) },
});

export const endpoints = { stockReport };
