import { type ServiceClient, UnavailableError } from "@comptoir/platform";

/** A variant as catalog's batch lookup gives it (GET /api/catalog/variants?ids=). */
export interface CatalogVariant {
  id: string;
  productId: string;
  sku: string;
  price: number;
  currency: string;
  productName: string;
  productStatus: "draft" | "active" | "archived";
  thumbnailUrl: string | null;
}

export interface CatalogClient {
  /** The variants catalog knows among `ids` (unknown ids are absent). Throws UnavailableError when catalog does not answer. */
  variants(ids: readonly string[]): Promise<Map<string, CatalogVariant>>;
}

/** Catalog's lookup takes at most this many ids per call. */
const BATCH = 200;

/** The lookup is public: called without a token. */
export function createCatalogClient(client: ServiceClient): CatalogClient {
  return {
    async variants(ids) {
      const found = new Map<string, CatalogVariant>();
      const unique = [...new Set(ids)];
      for (let i = 0; i < unique.length; i += BATCH) {
        const res = await client.get<{ data: CatalogVariant[] }>("/api/catalog/variants", {
          ids: unique.slice(i, i + BATCH).join(","),
        });
        if (res.status !== 200)
          throw new UnavailableError(`The catalog service answered ${res.status} to a variant lookup.`, {
            extensions: { dependency: "catalog" },
          });
        for (const v of res.body.data) found.set(v.id, v);
      }
      return found;
    },
  };
}
