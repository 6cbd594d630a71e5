import type { ServicePaths } from "../app/api/client";

type Json<T> = T extends { content: { "application/json": infer Body } } ? Body : never;
type Catalog = ServicePaths["catalog"];
type Inventory = ServicePaths["inventory"];
type Supply = ServicePaths["supply"];

/** What the back office reads and writes, typed from the platform's OpenAPI documents. */
export type Product = Json<Catalog["/api/catalog/products/{id}"]["get"]["responses"][200]>;
export type Variant = Product["variants"][number];
export type ProductImage = Product["images"][number];
export type ProductStatus = Product["status"];
export type VatRate = Product["vatRate"];
export type NewProduct = NonNullable<
  Catalog["/api/catalog/products"]["post"]["requestBody"]
>["content"]["application/json"];
export type NewVariant = NewProduct["variants"][number];
export type Category = Json<Catalog["/api/catalog/categories"]["get"]["responses"][200]>["data"][number];

export type Location = Json<Inventory["/api/inventory/locations"]["get"]["responses"][200]>["data"][number];
export type MovementType = NonNullable<
  NonNullable<Inventory["/api/inventory/movements"]["get"]["parameters"]["query"]>["type"]
>;

export type SupplyRequest = Json<Supply["/api/supply/requests/{id}"]["get"]["responses"][200]>;
export type SupplyStatus = SupplyRequest["status"];

export const VAT_RATES: readonly VatRate[] = [2000, 1000, 550, 210];
