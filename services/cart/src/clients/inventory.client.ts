import { type ServiceClient, UnavailableError } from "@comptoir/platform";

export interface Availability {
  available: number;
  /** False when inventory has never heard of the variant. */
  known: boolean;
}

/** What cart asks of inventory, with its own service token (SERVICE_ACCOUNTS.cart: stock:read). */
export interface InventoryClient {
  /**
   * What can still be bought of each variant, over the locations an online order draws from.
   * Throws UnavailableError when inventory does not answer.
   */
  availability(variantIds: readonly string[]): Promise<Map<string, Availability>>;
}

const BATCH = 200;

export function createInventoryClient(client: ServiceClient): InventoryClient {
  return {
    async availability(variantIds) {
      const result = new Map<string, Availability>();
      const unique = [...new Set(variantIds)];
      for (let i = 0; i < unique.length; i += BATCH) {
        const res = await client.get<{ data: ({ variantId: string } & Availability)[] }>(
          "/api/inventory/availability",
          {
            variantIds: unique.slice(i, i + BATCH).join(","),
          },
        );
        if (res.status !== 200) {
          throw new UnavailableError(`The inventory service answered ${res.status} to an availability check.`, {
            extensions: { dependency: "inventory" },
          });
        }
        for (const a of res.body.data) result.set(a.variantId, { available: a.available, known: a.known });
      }
      return result;
    },
  };
}
