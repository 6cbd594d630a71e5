import { catalogHttp } from "@comptoir/contracts/http";
import { asUnavailable, defineClient, lookupInBatches, type ServiceClient } from "@comptoir/platform";

/** A variant as catalog's batch lookup gives it. */
export type CatalogVariant = catalogHttp.VariantSummary;
export type CatalogClient = ReturnType<typeof createCatalogClient>;

/** The lookup is public: called without a token. */
export function createCatalogClient(client: ServiceClient) {
  const api = defineClient(client, catalogHttp.endpoints);
  return {
    /** The variants catalog knows among `ids` (unknown ids are absent). Throws UnavailableError when catalog does not answer. */
    async variants(ids: readonly string[]): Promise<Map<string, CatalogVariant>> {
      const found = await lookupInBatches(ids, catalogHttp.MAX_VARIANT_LOOKUP, (batch) =>
        api.lookupVariants({ query: { ids: batch.join(",") } }).catch((error) => {
          throw asUnavailable(error, "look up variants");
        }),
      );
      return new Map(found.map((v) => [v.id, v]));
    },
  };
}
