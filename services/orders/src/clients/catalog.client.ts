import { catalogHttp } from "@comptoir/contracts/http";
import { defineClient, lookupInBatches, type ServiceClient } from "@comptoir/platform";
import { asStep } from "@comptoir/sagas";

export type CatalogClient = ReturnType<typeof createCatalogClient>;

/** Catalog's public batch lookup: the current names, SKUs and prices a checkout snapshots. */
export function createCatalogClient(client: ServiceClient) {
  const api = defineClient(client, catalogHttp.endpoints);
  return {
    variants: (ids: readonly string[]) =>
      lookupInBatches(ids, catalogHttp.MAX_VARIANT_LOOKUP, (batch) =>
        asStep("looking up the cart's variants", api.lookupVariants({ query: { ids: batch.join(",") } })),
      ),
  };
}
