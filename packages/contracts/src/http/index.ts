/**
 * What services ask of each other over HTTP, by provider: each endpoint's schemas (the provider's
 * route schema), its success answers and its error codes. Callers make typed calls from them
 * (platform's `defineClient`).
 */
export * from "./endpoint";
export * from "./schemas";
export * as cartHttp from "./cart";
export * as catalogHttp from "./catalog";
export * as identityHttp from "./identity";
export * as inventoryHttp from "./inventory";
export * as ordersHttp from "./orders";
export * as paymentsHttp from "./payments";
export * as reportingHttp from "./reporting";
export * as reportingAdminHttp from "./reporting-admin";
export * as reportingConversionHttp from "./reporting-conversion";
export * as reportingStockHttp from "./reporting-stock";
export * as retailHttp from "./retail";
export * as searchHttp from "./search";
