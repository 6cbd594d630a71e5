import { type Static, Type } from "typebox";
import { endpoint } from "./endpoint";
import { OpeningHours } from "./retail";
import { DateTime, Id, Nullable } from "./schemas";

/**
 * Reporting's HTTP API (SPEC §3.10): sales, top products and a store's indicators, read from the
 * read models reporting builds from orders', retail's and catalog's events. Every amount is in minor
 * units (cents), VAT included unless named otherwise. Permission `reports:read`; a manager reads
 * their own store only. Every report is also CSV (`Accept: text/csv` or `format=csv`).
 */

/** The longest period a report covers, in days (from and to included). */
export const MAX_REPORT_DAYS = 366 * 3;
/** The most products `top-products` lists. */
export const MAX_TOP_PRODUCTS = 100;
/** The channel of online sales in the read models and in `key`s (a store's channel is its id). */
export const ONLINE_CHANNEL = "online";
/** The header every report carries: seconds between now and the newest event applied (0: up to date). */
export const DATA_AGE_HEADER = "reporting-data-age";

/** A calendar day, `YYYY-MM-DD` (a real date: 2026-02-30 is refused). */
const day = (description: string) =>
  Type.String({ pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", maxLength: 10, description });
export const Day = day("YYYY-MM-DD");

export const SalesGroupBy = Type.Union(
  [
    Type.Literal("store"),
    Type.Literal("channel"),
    Type.Literal("day"),
    Type.Literal("week"),
    Type.Literal("month"),
    Type.Literal("category"),
  ],
  {
    description:
      "store: each store and online; channel: online vs stores; day; week (ISO, from Monday); month; " +
      "category (from the lines: shipping and refunds are not itemised)",
  },
);
export type SalesGroupBy = Static<typeof SalesGroupBy>;

/** Online sales, or the stores' (all of them, or `storeId`'s). */
export const ReportChannel = Type.Union([Type.Literal("online"), Type.Literal("store")]);
export type ReportChannel = Static<typeof ReportChannel>;

export const CsvFormat = {
  format: Type.Optional(
    Type.Union([Type.Literal("json"), Type.Literal("csv")], {
      description: "csv: the report as CSV (also with Accept: text/csv)",
    }),
  ),
  sep: Type.Optional(
    Type.Union([Type.Literal(","), Type.Literal(";"), Type.Literal("comma"), Type.Literal("semicolon")], {
      description: "CSV separator (default ,); ; also writes decimals with a comma",
    }),
  ),
};

const Period = {
  from: day("first day, YYYY-MM-DD (in each channel's time zone)"),
  to: day("last day, YYYY-MM-DD, included"),
};

/** One rate of a VAT breakdown (sums of the documents' own breakdowns). */
export const ReportVatLine = Type.Object({
  rate: Type.Integer({ description: "basis points: 2000 = 20 %" }),
  base: Type.Integer({ description: "excluding VAT" }),
  vat: Type.Integer(),
  total: Type.Integer({ description: "including VAT" }),
});
export type ReportVatLine = Static<typeof ReportVatLine>;

/** The sales figures of a group (or of the whole period: `totals`). */
export const SalesFigures = Type.Object({
  revenue: Type.Integer({ description: "sales including VAT (shipping included), voided sales taken out" }),
  revenueExclVat: Type.Integer(),
  vat: Type.Array(ReportVatLine),
  transactions: Nullable(
    Type.Integer({ description: "paid orders and till sales; null by category (a sale spans categories)" }),
  ),
  units: Type.Integer(),
  averageBasket: Nullable(Type.Integer({ description: "revenue / transactions, rounded; 0 without transactions" })),
  discounts: Type.Integer(),
  returns: Type.Integer({ description: "what till returns gave back" }),
  refunds: Type.Integer({ description: "what online refunds gave back (not itemised: 0 by category)" }),
  netRevenue: Type.Integer({ description: "revenue − returns − refunds" }),
});
export type SalesFigures = Static<typeof SalesFigures>;

export const SalesRow = Type.Object({
  key: Type.String({ description: "store id or online; online or stores; a day; 2026-W13; 2026-03; a category id" }),
  label: Type.String(),
  ...SalesFigures.properties,
});
export type SalesRow = Static<typeof SalesRow>;

export const SalesReport = Type.Object({
  from: Day,
  to: Day,
  groupBy: SalesGroupBy,
  data: Type.Array(SalesRow),
  totals: SalesFigures,
});
export type SalesReport = Static<typeof SalesReport>;

export const SalesQuery = Type.Object(
  {
    ...Period,
    groupBy: Type.Optional(SalesGroupBy),
    storeId: Type.Optional(Id),
    channel: Type.Optional(ReportChannel),
    ...CsvFormat,
  },
  { additionalProperties: false },
);
export type SalesQuery = Static<typeof SalesQuery>;

export const TopProductsBy = Type.Union([Type.Literal("revenue"), Type.Literal("units")]);
export type TopProductsBy = Static<typeof TopProductsBy>;

export const TopProductsQuery = Type.Object(
  {
    ...Period,
    by: Type.Optional(TopProductsBy),
    storeId: Type.Optional(Id),
    channel: Type.Optional(ReportChannel),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TOP_PRODUCTS, description: "default 10" })),
    ...CsvFormat,
  },
  { additionalProperties: false },
);
export type TopProductsQuery = Static<typeof TopProductsQuery>;

export const TopProduct = Type.Object({
  productId: Id,
  /** Catalog's name (the lines' until catalog's event arrives). */
  name: Type.String(),
  categoryId: Nullable(Id),
  category: Nullable(Type.String()),
  units: Type.Integer({ description: "units sold, voided sales taken out" }),
  revenue: Type.Integer({ description: "line totals including VAT, voided sales taken out" }),
  unitsReturned: Type.Integer(),
  returns: Type.Integer({ description: "what till returns of it gave back" }),
});
export type TopProduct = Static<typeof TopProduct>;

export const TopProductsReport = Type.Object({
  from: Day,
  to: Day,
  by: TopProductsBy,
  data: Type.Array(TopProduct),
});
export type TopProductsReport = Static<typeof TopProductsReport>;

export const IndicatorsQuery = Type.Object({ ...Period, ...CsvFormat }, { additionalProperties: false });
export type IndicatorsQuery = Static<typeof IndicatorsQuery>;

export const HourFigures = Type.Object({
  hour: Type.Integer({ minimum: 0, maximum: 23, description: "local hour of the store" }),
  revenue: Type.Integer(),
  transactions: Type.Integer(),
});

/** A store's indicators over a period. */
export const StoreFigures = Type.Object({
  from: Day,
  to: Day,
  revenue: Type.Integer(),
  transactions: Type.Integer(),
  averageBasket: Type.Integer({ description: "revenue / transactions, rounded; 0 without transactions" }),
  unitsPerTransaction: Type.Number({ description: "units / transactions (2 decimals); 0 without transactions" }),
  returnRate: Nullable(Type.Number({ description: "returns / revenue (4 decimals); null without revenue" })),
  discountRate: Nullable(
    Type.Number({ description: "discounts / (revenue + discounts) (4 decimals); null when both are 0" }),
  ),
  cashVariance: Type.Integer({ description: "Σ of the closed registers' variances (counted − expected)" }),
  salesPerOpeningHour: Nullable(
    Type.Integer({
      description:
        "revenue / the store's opening hours over the period (cents per hour, rounded): each local day's " +
        "intervals of its weekday, as the clocks run (DST), days to come not counted; null when the store's " +
        "opening hours are unknown or total 0",
    }),
  ),
  salesByHour: Type.Array(HourFigures, { description: "24 hours, 0 to 23" }),
});
export type StoreFigures = Static<typeof StoreFigures>;

const Change = Nullable(Type.Number({ description: "% change from the previous period (1 decimal)" }));

export const StoreIndicators = Type.Object({
  store: Type.Object({
    id: Id,
    code: Type.String(),
    name: Type.String(),
    timezone: Type.String(),
    /**
     * The weekly hours `salesPerOpeningHour` counts (each weekday's intervals, HH:MM local), as the
     * newest `retail.store.created|updated` tells them; null when none was received yet.
     */
    openingHours: Nullable(OpeningHours),
    /** When that store event happened (its `occurredAt`): where the hours come from; null with them. */
    openingHoursAsOf: Nullable(DateTime),
  }),
  ...StoreFigures.properties,
  /** The same figures for the period of equal length just before. */
  previous: StoreFigures,
  /** Per figure, (current − previous) / previous in %; null when the previous is 0 (or null). */
  change: Type.Object({
    revenue: Change,
    transactions: Change,
    averageBasket: Change,
    unitsPerTransaction: Change,
    returnRate: Change,
    discountRate: Change,
    cashVariance: Change,
    salesPerOpeningHour: Change,
  }),
});
export type StoreIndicators = Static<typeof StoreIndicators>;

export const sales = endpoint({
  method: "GET",
  path: "/api/reporting/sales",
  query: SalesQuery,
  responses: { 200: SalesReport },
  errors: ["invalid_period", "invalid_filter"],
});

export const topProducts = endpoint({
  method: "GET",
  path: "/api/reporting/top-products",
  query: TopProductsQuery,
  responses: { 200: TopProductsReport },
  errors: ["invalid_period", "invalid_filter"],
});

export const storeIndicators = endpoint({
  method: "GET",
  path: "/api/reporting/stores/:id/indicators",
  params: Type.Object({ id: Id }),
  query: IndicatorsQuery,
  responses: { 200: StoreIndicators },
  errors: ["invalid_period", "store_not_found"],
});

export const endpoints = { sales, topProducts, storeIndicators };
