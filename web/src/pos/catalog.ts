import { api } from "../app/api/client";
import { db, fold, type LocalVariant } from "./db";
import type { Product } from "./types";

/** The catalog's lists answer at most 100 products a page. */
const PAGE = 100;

const optionsOf = (options: Record<string, string>) => Object.values(options).filter(Boolean).join(", ");

function local(
  product: { name: string },
  variant: { id: string; sku: string; barcode: string | null; price: number; vatRate: number; currency: string },
  options: Record<string, string>,
): LocalVariant {
  const suffix = optionsOf(options);
  const name = suffix ? `${product.name} — ${suffix}` : product.name;
  return {
    id: variant.id,
    sku: variant.sku,
    barcode: variant.barcode,
    name,
    folded: fold(`${name} ${variant.sku}`),
    price: variant.price,
    vatRate: variant.vatRate,
    currency: variant.currency,
  };
}

/**
 * Reads every product on sale (`GET /api/catalog/products`, public, 100 a page) and keeps its
 * variants in IndexedDB: SKU, barcode, name, price and VAT rate, what the till needs to sell offline.
 */
export async function refreshCatalog(): Promise<number> {
  const variants: LocalVariant[] = [];
  for (let page = 1; ; page++) {
    const result = await api.catalog.GET("/api/catalog/products", {
      params: { query: { page, limit: PAGE, status: "active" } },
    });
    if (!result.data) throw new Error(`catalog page ${page}: ${result.response.status}`);
    const products: Product[] = result.data.data;
    for (const product of products) {
      if (product.status !== "active") continue;
      for (const v of product.variants) variants.push(local(product, v, v.options));
    }
    if (page * PAGE >= result.data.pagination.total || products.length === 0) break;
  }
  await db.replaceVariants(variants, new Date().toISOString());
  return variants.length;
}

/**
 * The variant a scan or a typed code names: its barcode or SKU in the local catalog, or else (online)
 * catalog's exact lookup (`GET /api/catalog/variants?codes=`), kept for the next time.
 */
export async function findByCode(code: string, online: boolean): Promise<LocalVariant | undefined> {
  const known = await db.byCode(code);
  if (known || !online) return known;
  const result = await api.catalog.GET("/api/catalog/variants", { params: { query: { codes: code } } });
  const found = result.data?.data[0];
  if (!found || found.productStatus !== "active") return undefined;
  const variant = local({ name: found.productName }, found, found.options);
  await db.putVariant(variant);
  return variant;
}

/** Variants whose name or SKU holds every word typed (accents and case aside), at most `limit`. */
export async function searchByName(text: string, limit = 8): Promise<LocalVariant[]> {
  const words = fold(text).split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const all = await db.allVariants();
  return all.filter((v) => words.every((w) => v.folded.includes(w))).slice(0, limit);
}
