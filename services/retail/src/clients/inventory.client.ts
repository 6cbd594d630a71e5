import { inventoryHttp } from "@comptoir/contracts/http";
import { asUnavailable, ConflictError, defineClient, isProblemOf, type ServiceClient } from "@comptoir/platform";
import { asStep, inventorySteps } from "@comptoir/sagas";

export type InventoryClient = ReturnType<typeof createInventoryClient>;

/** What retail asks of inventory, with its own service token (SERVICE_ACCOUNTS.retail). */
export function createInventoryClient(client: ServiceClient) {
  const api = defineClient(client, inventoryHttp.endpoints);
  return {
    /**
     * The stock location of a new store (kind store, the store's code), idempotent on its id; 409
     * store_code_taken when another location has the code, other failures 503.
     */
    async createLocation(input: {
      id: string;
      code: string;
      name: string;
      storeId: string;
    }): Promise<inventoryHttp.Location> {
      try {
        return await api.createLocation({ body: { ...input, kind: "store" } });
      } catch (error) {
        if (isProblemOf(error, inventoryHttp.createLocation, "location_code_taken")) {
          throw new ConflictError(
            "store_code_taken",
            `Inventory already has a location with the code "${input.code}".`,
            {
              errors: [{ in: "body", field: "code", message: "is already used by a stock location" }],
            },
          );
        }
        throw asUnavailable(error, "create the store's stock location");
      }
    },

    /** Holds every item at the store's location, or nothing (StepRefused insufficient_stock with `short`). */
    reserve(input: { reference: string; items: inventoryHttp.Item[]; ttlSeconds: number; locationId: string }) {
      return asStep("reserving the stock", api.reserve({ body: input, idempotencyKey: input.reference }));
    },

    /**
     * Reserve and commit in one call and one inventory transaction (a sale with no card: nothing to
     * hold the stock for): every item leaves the store's location, or nothing does (StepRefused
     * insufficient_stock with `short`). The same reference gives back the same reservation.
     */
    take(input: { reference: string; items: inventoryHttp.Item[]; ttlSeconds: number; locationId: string }) {
      return asStep(
        "taking the stock",
        api.reserve({ body: { ...input, commit: true }, idempotencyKey: input.reference }),
      );
    },

    // Commit, release and restock: saga steps shared with the other services that hold stock.
    ...inventorySteps(api),
  };
}
