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
  };
}
