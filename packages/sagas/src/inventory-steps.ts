import { inventoryHttp } from "@comptoir/contracts/http";
import type { EndpointClient } from "@comptoir/platform";
import { asStep, settleStep } from "./step-answers";

type InventoryApi = Pick<
  EndpointClient<typeof inventoryHttp.endpoints>,
  "commitReservation" | "releaseReservation" | "adjustStock"
>;

/**
 * What a saga does with stock it reserved at inventory, over the caller's own typed client: each
 * call keyed so that a retried step is done once, and inventory's refusals read as StepRefused.
 */
export function inventorySteps(api: InventoryApi) {
  return {
    /** The goods leave the shelf: the reservation becomes sales movements. */
    async commit(reservationId: string): Promise<void> {
      await asStep(
        "committing the reservation",
        api.commitReservation({ params: { id: reservationId }, idempotencyKey: `commit-${reservationId}` }),
      );
    },

    /** Frees a reservation; one already settled (released, expired, or committed and then restocked) is left as it is. */
    release: (reservationId: string): Promise<void> =>
      settleStep(
        "releasing the reservation",
        inventoryHttp.releaseReservation,
        api.releaseReservation({ params: { id: reservationId }, idempotencyKey: `release-${reservationId}` }),
        "reservation_not_active",
      ),

    /** Puts goods back on the shelf they came from (a `return` movement), once per key. */
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
