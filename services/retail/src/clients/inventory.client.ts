import { inventoryHttp } from "@comptoir/contracts/http";
import { defineClient, type ServiceClient } from "@comptoir/platform";
import { asStep, settleStep } from "@comptoir/sagas";

export type InventoryClient = ReturnType<typeof createInventoryClient>;

/** What retail asks of inventory, with its own service token (SERVICE_ACCOUNTS.retail). */
export function createInventoryClient(client: ServiceClient) {
  const api = defineClient(client, inventoryHttp.endpoints);
  return {
    /** Holds every item at the store's location, or nothing (StepRefused insufficient_stock with `short`). */
    reserve(input: { reference: string; items: inventoryHttp.Item[]; ttlSeconds: number; locationId: string }) {
      return asStep("reserving the stock", api.reserve({ body: input, idempotencyKey: input.reference }));
    },

    /** The goods leave the shelf: the reservation becomes sales movements. */
    async commit(reservationId: string): Promise<void> {
      await asStep(
        "committing the reservation",
        api.commitReservation({ params: { id: reservationId }, idempotencyKey: `commit-${reservationId}` }),
      );
    },

    /** Frees a reservation; one already settled is left as it is. */
    release: (reservationId: string): Promise<void> =>
      settleStep(
        "releasing the reservation",
        inventoryHttp.releaseReservation,
        api.releaseReservation({ params: { id: reservationId }, idempotencyKey: `release-${reservationId}` }),
        "reservation_not_active",
      ),

    /** Puts goods back on the store's shelf (a `return` movement), once per key. */
    async restock(line: inventoryHttp.AllocationLine, key: string, reason: string): Promise<void> {
      const { variantId, locationId, quantity } = line;
      await asStep(
        "restocking",
        api.adjustStock({
          body: { variantId, locationId, changeQuantity: quantity, type: "return", reason, reference: key },
          idempotencyKey: key,
        }),
      );
    },
  };
}
