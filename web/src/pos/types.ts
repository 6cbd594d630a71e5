import type { ServicePaths } from "../app/api/client";

type Json<T> = T extends { content: { "application/json": infer Body } } ? Body : never;
type Retail = ServicePaths["retail"];

/** What the point of sale reads, typed from the platform's OpenAPI documents. */
export type RegisterWithSession = Json<Retail["/api/retail/registers/{id}"]["get"]["responses"][200]>;
export type CashSession = NonNullable<RegisterWithSession["currentSession"]>;
export type SessionReport = Json<Retail["/api/retail/registers/{id}/x-report"]["get"]["responses"][200]>;
export type CreatedSale = Json<Retail["/api/retail/sales"]["post"]["responses"][201]>;
export type Receipt = CreatedSale["receipt"];
export type Sale = Json<Retail["/api/retail/sales/{id}"]["get"]["responses"][200]>;
export type Return = Json<Retail["/api/retail/returns/{id}"]["get"]["responses"][200]>;
export type Product = Json<ServicePaths["catalog"]["/api/catalog/products"]["get"]["responses"][200]>["data"][number];
