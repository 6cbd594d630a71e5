import { inventoryHttp } from "@comptoir/contracts/http";
import { defineClient, ignoring, type ServiceClient } from "@comptoir/platform";
import { asStep, settleStep } from "@comptoir/sagas";

export type InventoryLocation = inventoryHttp.Location;
export type InventoryClient = ReturnType<typeof createInventoryClient>;
export type Item = inventoryHttp.Item;

/** What supply asks of inventory, with its own service token (SERVICE_ACCOUNTS.supply). */
export function createInventoryClient(client: ServiceClient) {
  const api = defineClient(client, inventoryHttp.endpoints);
  return {
    async locations(): Promise<InventoryLocation[]> {
      return (await asStep("listing locations", api.listLocations())).data;
    },

    /** The ids among `variantIds` inventory does not know. */
    async unknownVariants(variantIds: string[]): Promise<string[]> {
      const known = await Promise.all(
        variantIds.map((variantId) =>
          asStep(
            "looking up a variant",
            api
              .getStock({ query: { variantId, limit: 1 } })
              .catch(ignoring(inventoryHttp.getStock, "variant_not_found")),
          ),
        ),
      );
      return variantIds.filter((_, i) => known[i] === undefined);
    },

    /** Idempotent by reference: a retry returns the same reservation. */
    async reserve(input: { reference: string; locationId: string; items: Item[]; ttlSeconds: number }) {
      const body = { ...input, strategy: "single" as const };
      const { id } = await asStep(
        "reserving at the central warehouse",
        api.reserve({ body, idempotencyKey: input.reference }),
      );
      return { id };
    },

    // jscpd:ignore-start — orders releases its reservations with the same call of inventory's API
    // (the key convention and the "already settled" code are inventory's contract, not logic to share).
    /** Already consumed by the transfer (whose reversal gave the stock back): nothing left to free. */
    release: (reservationId: string): Promise<void> =>
      settleStep(
        "releasing the reservation",
        inventoryHttp.releaseReservation,
        api.releaseReservation({ params: { id: reservationId }, idempotencyKey: `release-${reservationId}` }),
        "reservation_not_active",
      ),
    // jscpd:ignore-end

    async transfer(input: {
      reference: string;
      fromLocationId: string;
      toLocationId: string;
      items: Item[];
      reservationId: string;
    }) {
      const { id } = await asStep(
        "transferring to the store",
        api.transfer({ body: input, idempotencyKey: input.reference }),
      );
      return { id };
    },

    async reverseTransfer(transferId: string): Promise<void> {
      await asStep(
        "reversing the transfer",
        api.reverseTransfer({ params: { id: transferId }, idempotencyKey: `reverse-${transferId}` }),
      );
    },
  };
}
