import { expectStepOk, type ServiceClient, type ServiceResponse } from "@comptoir/platform";

export interface InventoryLocation {
  id: string;
  code: string;
  name: string;
  kind: "central" | "store" | "online";
  storeId: string | null;
}

export interface Item {
  variantId: string;
  quantity: number;
}

/** What supply asks of inventory, with its own service token (SERVICE_ACCOUNTS.supply). */
export interface InventoryClient {
  locations(): Promise<InventoryLocation[]>;
  /** The ids among `variantIds` inventory does not know. */
  unknownVariants(variantIds: string[]): Promise<string[]>;
  reserve(input: { reference: string; locationId: string; items: Item[]; ttlSeconds: number }): Promise<{ id: string }>;
  release(reservationId: string): Promise<void>;
  transfer(input: {
    reference: string;
    fromLocationId: string;
    toLocationId: string;
    items: Item[];
    reservationId: string;
  }): Promise<{ id: string }>;
  reverseTransfer(transferId: string): Promise<void>;
}

const expectOk = <T>(what: string, res: ServiceResponse<T>): T => expectStepOk("inventory", what, res);

export function createInventoryClient(client: ServiceClient): InventoryClient {
  return {
    async locations() {
      const res = await client.get<{ data: InventoryLocation[] }>("/api/inventory/locations", { limit: 200 });
      return expectOk("listing locations", res).data;
    },

    async unknownVariants(variantIds) {
      const answers = await Promise.all(
        variantIds.map(async (variantId) => {
          const res = await client.get("/api/inventory/stock", { variantId, limit: 1 });
          if (res.status === 404) return variantId;
          expectOk("looking up a variant", res);
          return undefined;
        }),
      );
      return answers.filter((id): id is string => id !== undefined);
    },

    async reserve(input) {
      const res = await client.request<{ id: string }>({
        method: "POST",
        path: "/api/inventory/reservations",
        // Idempotent by reference: a retry returns the same reservation.
        idempotencyKey: input.reference,
        body: {
          reference: input.reference,
          locationId: input.locationId,
          items: input.items,
          ttlSeconds: input.ttlSeconds,
          strategy: "single",
        },
      });
      return { id: expectOk("reserving at the central warehouse", res).id };
    },

    async release(reservationId) {
      const res = await client.request<{ code?: string }>({
        method: "POST",
        path: `/api/inventory/reservations/${reservationId}/release`,
        idempotencyKey: `release-${reservationId}`,
      });
      // Already consumed by the transfer (whose reversal gave the stock back): nothing left to free.
      if (res.status === 409 && res.body.code === "reservation_not_active") return;
      expectOk("releasing the reservation", res);
    },

    async transfer(input) {
      const res = await client.request<{ id: string }>({
        method: "POST",
        path: "/api/inventory/transfers",
        idempotencyKey: input.reference,
        body: input,
      });
      return { id: expectOk("transferring to the store", res).id };
    },

    async reverseTransfer(transferId) {
      const res = await client.request({
        method: "POST",
        path: `/api/inventory/transfers/${transferId}/reverse`,
        idempotencyKey: `reverse-${transferId}`,
      });
      expectOk("reversing the transfer", res);
    },
  };
}
