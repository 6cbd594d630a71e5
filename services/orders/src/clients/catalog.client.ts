import { expectStepOk, type ServiceClient } from "@comptoir/platform";

export interface CatalogVariant {
  id: string;
  productId: string;
  sku: string;
  price: number;
  currency: string;
  productName: string;
  productStatus: "draft" | "active" | "archived";
  options: Record<string, string>;
}

/** Catalog's public batch lookup: the current names, SKUs and prices a checkout snapshots. */
export interface CatalogClient {
  variants(ids: string[]): Promise<CatalogVariant[]>;
}

export function createCatalogClient(client: ServiceClient): CatalogClient {
  return {
    async variants(ids) {
      const found: CatalogVariant[] = [];
      for (let i = 0; i < ids.length; i += 100) {
        const res = await client.get<{ data: CatalogVariant[] }>("/api/catalog/variants", {
          ids: ids.slice(i, i + 100).join(","),
        });
        found.push(...expectStepOk("catalog", "looking up the cart's variants", res).data);
      }
      return found;
    },
  };
}
