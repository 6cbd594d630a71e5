import type { ServicePaths } from "../app/api/client";

type Json<T> = T extends { content: { "application/json": infer Body } } ? Body : never;

/** What the storefront reads, typed from the platform's OpenAPI documents. */
export type SearchAnswer = Json<ServicePaths["search"]["/api/search/products"]["get"]["responses"][200]>;
export type SearchHit = SearchAnswer["data"][number];
export type SearchQuery = NonNullable<ServicePaths["search"]["/api/search/products"]["get"]["parameters"]["query"]>;
export type Suggestion = Json<ServicePaths["search"]["/api/search/suggest"]["get"]["responses"][200]>["data"][number];
export type Category = Json<ServicePaths["search"]["/api/search/categories"]["get"]["responses"][200]>["data"][number];
export type CategoryFacet = SearchAnswer["facets"]["categories"][number];
export type Product = Json<ServicePaths["catalog"]["/api/catalog/products/by-slug/{slug}"]["get"]["responses"][200]>;
export type Variant = Product["variants"][number];
export type Order = Json<ServicePaths["orders"]["/api/orders/{id}"]["get"]["responses"][200]>;
export type CheckoutBody = NonNullable<
  ServicePaths["orders"]["/api/orders/checkout"]["post"]["requestBody"]
>["content"]["application/json"];
