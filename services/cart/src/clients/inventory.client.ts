import { inventoryHttp, type ResultOf } from "@comptoir/contracts/http";
import { asUnavailable, defineClient, lookupInBatches, type ServiceClient } from "@comptoir/platform";

/** What can be bought of one variant; `known` is false when inventory has never heard of it. */
export type Availability = Omit<ResultOf<typeof inventoryHttp.availability>["data"][number], "variantId">;
export type InventoryClient = ReturnType<typeof createInventoryClient>;

/** What cart asks of inventory, with its own service token (SERVICE_ACCOUNTS.cart: stock:read). */
export function createInventoryClient(client: ServiceClient) {
  const api = defineClient(client, inventoryHttp.endpoints);
  return {
    /**
     * What can still be bought of each variant, over the locations an online order draws from.
     * Throws UnavailableError when inventory does not answer.
     */
    async availability(variantIds: readonly string[]): Promise<Map<string, Availability>> {
      const found = await lookupInBatches(variantIds, inventoryHttp.MAX_AVAILABILITY_VARIANTS, (batch) =>
        api.availability({ query: { variantIds: batch.join(",") } }).catch((error) => {
          throw asUnavailable(error, "check availability");
        }),
      );
      return new Map(found.map((a) => [a.variantId, { available: a.available, known: a.known }]));
    },
  };
}
