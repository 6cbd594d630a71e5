import { expectStepOk, type ServiceClient, UnavailableError } from "@comptoir/platform";
import type { AllocationLine } from "../domain/order";

export interface Reservation {
  id: string;
  status: "active" | "committed" | "released" | "expired";
  lines: AllocationLine[];
}

/** A stock location as inventory lists it (`GET /api/inventory/locations`): only a `store` one serves click-and-collect. */
export interface StockLocation {
  id: string;
  code: string;
  name: string;
  kind: "central" | "store" | "online";
  storeId: string | null;
}

/** What orders asks of inventory, with its own service token (SERVICE_ACCOUNTS.orders). */
export interface InventoryClient {
  /** The location with this id, or undefined when inventory has none (stock:read). */
  location(id: string): Promise<StockLocation | undefined>;
  /** All or nothing; the same reference returns the same reservation. 409 insufficient_stock → StepRefused with `short`. */
  reserve(input: {
    reference: string;
    items: { variantId: string; quantity: number }[];
    ttlSeconds: number;
    /** Click-and-collect: every item from this store's location. */
    locationId?: string;
  }): Promise<Reservation>;
  commit(reservationId: string): Promise<void>;
  /** Frees a reservation; one already settled (released, expired, or committed and then restocked) is left as it is. */
  release(reservationId: string): Promise<void>;
  /** Puts goods back on the shelf they came from (a `return` movement), once per key. */
  restock(line: AllocationLine, key: string, reason: string): Promise<void>;
}

const ok = <T>(what: string, res: Parameters<typeof expectStepOk<T>>[2]) => expectStepOk("inventory", what, res);

export function createInventoryClient(client: ServiceClient): InventoryClient {
  return {
    async location(id) {
      // Inventory lists its locations (a few: a warehouse, the online channel, the stores); no lookup by id.
      const res = await client.get<{ data: StockLocation[] }>("/api/inventory/locations");
      if (res.status !== 200) {
        throw new UnavailableError(`Inventory could not list its stock locations (status ${res.status}).`, {
          retryAfterSeconds: 1,
        });
      }
      return res.body.data.find((l) => l.id === id);
    },

    async reserve(input) {
      const res = await client.request<Reservation>({
        method: "POST",
        path: "/api/inventory/reservations",
        idempotencyKey: input.reference,
        body: {
          reference: input.reference,
          items: input.items,
          ttlSeconds: input.ttlSeconds,
          ...(input.locationId ? { locationId: input.locationId } : { strategy: "split" }),
        },
      });
      return ok("reserving the stock", res);
    },

    async commit(reservationId) {
      const res = await client.request({
        method: "POST",
        path: `/api/inventory/reservations/${reservationId}/commit`,
        idempotencyKey: `commit-${reservationId}`,
      });
      ok("committing the reservation", res);
    },

    async release(reservationId) {
      const res = await client.request<{ code?: string }>({
        method: "POST",
        path: `/api/inventory/reservations/${reservationId}/release`,
        idempotencyKey: `release-${reservationId}`,
      });
      if (res.status === 409 && res.body.code === "reservation_not_active") return;
      ok("releasing the reservation", res);
    },

    async restock(line, key, reason) {
      const res = await client.request({
        method: "POST",
        path: "/api/inventory/stock/adjust",
        idempotencyKey: key,
        body: {
          variantId: line.variantId,
          locationId: line.locationId,
          changeQuantity: line.quantity,
          type: "return",
          reason,
          reference: key,
        },
      });
      ok("restocking", res);
    },
  };
}
