import { catalogHttp } from "@comptoir/contracts/http";
import { asUnavailable, defineClient, type ServiceClient } from "@comptoir/platform";

export type CatalogClient = ReturnType<typeof createCatalogClient>;
export type CatalogVariant = catalogHttp.VariantSummary;

/** Catalog's public lookups: a till's lines are priced from here, never from the till. */
export function createCatalogClient(client: ServiceClient) {
  const api = defineClient(client, catalogHttp.endpoints);
  return {
    /** Variants by id; unknown ids are left out. */
    async byIds(ids: string[]): Promise<CatalogVariant[]> {
      if (ids.length === 0) return [];
      const { data } = await api.lookupVariants({ query: { ids: ids.join(",") } }).catch((e) => {
        throw asUnavailable(e, "look up the variants");
      });
      return data;
    },

    /** Variants by SKU or barcode (exact, as a till scans them); unknown codes are left out. */
    async byCodes(codes: string[]): Promise<CatalogVariant[]> {
      if (codes.length === 0) return [];
      const { data } = await api.lookupVariants({ query: { codes: codes.join(",") } }).catch((e) => {
        throw asUnavailable(e, "look up the variants by code");
      });
      return data;
    },
  };
}
