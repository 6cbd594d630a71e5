import type { ServicePaths } from "../app/api/client";

type Json<T> = T extends { content: { "application/json": infer Body } } ? Body : never;
type Reporting = ServicePaths["reporting"];

/** What the dashboards read, typed from the platform's OpenAPI documents. */
export type SalesQuery = NonNullable<Reporting["/api/reporting/sales"]["get"]["parameters"]["query"]>;
export type SalesReport = Json<Reporting["/api/reporting/sales"]["get"]["responses"][200]>;
export type SalesRow = SalesReport["data"][number];
export type GroupBy = NonNullable<SalesQuery["groupBy"]>;
export type TopProductsReport = Json<Reporting["/api/reporting/top-products"]["get"]["responses"][200]>;
export type Indicators = Json<Reporting["/api/reporting/stores/{id}/indicators"]["get"]["responses"][200]>;
export type StockQuery = NonNullable<Reporting["/api/reporting/stock"]["get"]["parameters"]["query"]>;
export type StockPage = Json<Reporting["/api/reporting/stock"]["get"]["responses"][200]>;
export type StockStatus = NonNullable<StockQuery["status"]>;
export type ConversionReport = Json<Reporting["/api/reporting/conversion"]["get"]["responses"][200]>;
export type Store = Json<ServicePaths["retail"]["/api/retail/stores"]["get"]["responses"][200]>["data"][number];
export type Separator = "," | ";";
