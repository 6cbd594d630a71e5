import { inventoryHttp } from "@comptoir/contracts/http";
import { asUnavailable, defineClient, type ServiceClient } from "@comptoir/platform";
import { asStep, inventorySteps } from "@comptoir/sagas";

/** A stock location: only a `store` one serves click-and-collect. */
export type StockLocation = inventoryHttp.Location;
export type InventoryClient = ReturnType<typeof createInventoryClient>;

/** What orders asks of inventory, with its own service token (SERVICE_ACCOUNTS.orders). */
export function createInventoryClient(client: ServiceClient) {
  const api = defineClient(client, inventoryHttp.endpoints);
  return {
    /** The location with this id, or undefined when inventory has none (stock:read). */
    async location(id: string): Promise<StockLocation | undefined> {
      // Inventory lists its locations (a few: a warehouse, the online channel, the stores); no lookup by id.
      const { data } = await api.listLocations().catch((e) => {
        throw asUnavailable(e, "list its stock locations");
      });
      return data.find((l) => l.id === id);
    },

    /**
     * All or nothing; the same reference returns the same reservation. 409 insufficient_stock → StepRefused
     * with `short`. Click-and-collect (`locationId`): every item from this store's location.
     */
    reserve(input: { reference: string; items: inventoryHttp.Item[]; ttlSeconds: number; locationId?: string }) {
      const { reference, items, ttlSeconds, locationId } = input;
      return asStep(
        "reserving the stock",
        api.reserve({
          body: { reference, items, ttlSeconds, ...(locationId ? { locationId } : { strategy: "split" }) },
          idempotencyKey: reference,
        }),
      );
    },

    // Commit, release and restock: saga steps shared with the other services that hold stock.
    ...inventorySteps(api),
  };
}
