import type { Queryable } from "@comptoir/platform";
import type { VatRateValue } from "@comptoir/contracts";
import { imageUrls, type PriceChange, type Product, type ProductStatus, type Variant } from "../model/product";

/**
 * A product as the API shows it is a JSON document kept in `products.document` (the SQL function
 * `product_document` builds it: see 002_products.sql). Every write rewrites it in its transaction
 * (`saveDocument`); reads send the text to the client as it is, without parsing and re-serialising
 * it in Node, and a page of 20 reads 20 rows instead of building 20 documents from 80 others.
 */
const DOCUMENT = "COALESCE(p.document, product_document(p.id))";

/** The product's current state, computed (so it includes this transaction's changes). */
export async function findProduct(db: Queryable, id: string): Promise<Product | undefined> {
  const { rows } = await db.query<{ doc: string | null }>("SELECT product_document($1) AS doc", [id]);
  return rows[0]?.doc ? (JSON.parse(rows[0].doc) as Product) : undefined;
}

/** Rewrites the stored document after a change (same transaction) and returns the product. */
export async function saveDocument(db: Queryable, id: string): Promise<Product> {
  const { rows } = await db.query<{ document: string }>(
    "UPDATE products SET document = product_document(id) WHERE id = $1 RETURNING document",
    [id],
  );
  return JSON.parse(rows[0]!.document) as Product;
}

/**
 * A product's JSON text (as the API shows it) and its status, by id or by slug. The hot reads run
 * as named prepared statements: PostgreSQL plans them once per connection, not on every request.
 */
export async function findProductJson(
  db: Queryable,
  key: { id: string } | { slug: string },
): Promise<{ status: ProductStatus; json: string } | undefined> {
  const bySlug = "slug" in key;
  const { rows } = await db.query<{ status: ProductStatus; json: string }>({
    name: bySlug ? "catalog_product_json_by_slug" : "catalog_product_json_by_id",
    text: `SELECT p.status, ${DOCUMENT} AS json FROM products p WHERE p.${bySlug ? "slug" : "id"} = $1`,
    values: [bySlug ? key.slug : key.id],
  });
  return rows[0];
}

/** Locks the product row until the transaction ends: changes to one product (and its variants) queue up. */
export async function lockProduct(
  db: Queryable,
  id: string,
): Promise<{ id: string; status: ProductStatus } | undefined> {
  const { rows } = await db.query<{ id: string; status: ProductStatus }>(
    "SELECT id, status FROM products WHERE id = $1 FOR UPDATE",
    [id],
  );
  return rows[0];
}

export interface ProductFilter {
  /** Any of these categories. */
  categoryIds?: string[];
  statuses?: ProductStatus[];
  /** Substring of the name, case-insensitive. */
  q?: string;
}

/** The WHERE clause of a filter, and a name for its shape (one prepared statement per shape). */
function where(filter: ProductFilter): { sql: string; params: unknown[]; shape: string } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const shape = [
    filter.categoryIds ? (filter.categoryIds.length === 1 ? "c1" : "cn") : "",
    filter.statuses ? (filter.statuses.length === 1 ? "s1" : "sn") : "",
    filter.q ? "q" : "",
  ].join("");
  if (filter.categoryIds) {
    params.push(filter.categoryIds.length === 1 ? filter.categoryIds[0] : filter.categoryIds);
    conditions.push(
      filter.categoryIds.length === 1
        ? `p.category_id = $${params.length}`
        : `p.category_id = ANY($${params.length}::uuid[])`,
    );
  }
  if (filter.statuses) {
    params.push(filter.statuses.length === 1 ? filter.statuses[0] : filter.statuses);
    conditions.push(
      filter.statuses.length === 1 ? `p.status = $${params.length}` : `p.status = ANY($${params.length}::text[])`,
    );
  }
  if (filter.q) {
    params.push(`%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    conditions.push(`p.name ILIKE $${params.length}`);
  }
  return { sql: conditions.length ? ` WHERE ${conditions.join(" AND ")}` : "", params, shape };
}

/**
 * A page, newest first (created_at, then id: a total order, so pages never overlap). The page's ids
 * are chosen first, on the list index alone; only those rows are then read for their documents.
 */
export async function listProductsJson(
  db: Queryable,
  filter: ProductFilter,
  page: { limit: number; offset: number },
): Promise<string> {
  const { sql, params, shape } = where(filter);
  const n = params.length;
  const { rows } = await db.query<{ json: string }>({
    name: `catalog_products_page_${shape}`,
    text: `WITH page AS (
             SELECT p.id FROM products p${sql}
              ORDER BY p.created_at DESC, p.id DESC LIMIT $${n + 1} OFFSET $${n + 2}
           )
           SELECT '[' || COALESCE(string_agg(${DOCUMENT}, ',' ORDER BY p.created_at DESC, p.id DESC), '') || ']' AS json
             FROM products p JOIN page ON page.id = p.id`,
    values: [...params, page.limit, page.offset],
  });
  return rows[0]!.json;
}

export async function countProducts(db: Queryable, filter: ProductFilter): Promise<number> {
  const { sql, params, shape } = where(filter);
  const { rows } = await db.query<{ n: number }>({
    name: `catalog_products_count_${shape}`,
    text: `SELECT count(*)::int AS n FROM products p${sql}`,
    values: params,
  });
  return rows[0]!.n;
}

export async function productSlugsTaken(db: Queryable, slugs: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ slug: string }>("SELECT slug FROM products WHERE slug = ANY($1)", [slugs]);
  return new Set(rows.map((r) => r.slug));
}

export interface NewProductRow {
  id: string;
  categoryId: string;
  name: string;
  slug: string;
  description: string | null;
  brand: string | null;
  attributes: Record<string, string>;
  status: ProductStatus;
  vatRate: VatRateValue;
}

export async function insertProduct(db: Queryable, p: NewProductRow): Promise<void> {
  await db.query(
    `INSERT INTO products (id, category_id, name, slug, description, brand, attributes, status, vat_rate)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [p.id, p.categoryId, p.name, p.slug, p.description, p.brand, JSON.stringify(p.attributes), p.status, p.vatRate],
  );
}

export type ProductChanges = Partial<
  Pick<NewProductRow, "categoryId" | "name" | "slug" | "description" | "brand" | "attributes" | "status" | "vatRate">
>;

const PRODUCT_COLUMNS: Record<keyof ProductChanges, string> = {
  categoryId: "category_id",
  name: "name",
  slug: "slug",
  description: "description",
  brand: "brand",
  attributes: "attributes",
  status: "status",
  vatRate: "vat_rate",
};

export async function updateProduct(db: Queryable, id: string, changes: ProductChanges): Promise<void> {
  const keys = Object.keys(changes) as (keyof ProductChanges)[];
  const sets = keys.map((k, i) => `${PRODUCT_COLUMNS[k]} = $${i + 2}`);
  await db.query(`UPDATE products SET ${[...sets, "updated_at = now()"].join(", ")} WHERE id = $1`, [
    id,
    ...keys.map((k) => (k === "attributes" ? JSON.stringify(changes[k]) : changes[k])),
  ]);
}

/** Marks the product changed (a variant or an image changed): its updated_at moves. */
export async function touchProduct(db: Queryable, id: string): Promise<void> {
  await db.query("UPDATE products SET updated_at = now() WHERE id = $1", [id]);
}

// ---- variants ----

interface VariantRow {
  id: string;
  product_id: string;
  sku: string;
  options: Record<string, string>;
  price: string;
  compare_at_price: string | null;
  currency: string;
  barcode: string | null;
  position: number;
  /** The product's. */
  vat_rate: VatRateValue;
}

/** A variant's columns, with its product's VAT rate (`v`: variants, `p`: its product). */
const VARIANT_COLUMNS =
  "v.id, v.product_id, v.sku, v.options, v.price, v.compare_at_price, v.currency, v.barcode, v.position, p.vat_rate";

function toVariant(row: VariantRow): Variant {
  return {
    id: row.id,
    productId: row.product_id,
    sku: row.sku,
    options: row.options,
    price: Number(row.price),
    compareAtPrice: row.compare_at_price === null ? null : Number(row.compare_at_price),
    currency: row.currency,
    barcode: row.barcode,
    position: row.position,
    vatRate: row.vat_rate,
  };
}

export async function skusTaken(db: Queryable, skus: string[]): Promise<string[]> {
  const { rows } = await db.query<{ sku: string }>("SELECT sku FROM variants WHERE sku = ANY($1)", [skus]);
  return rows.map((r) => r.sku);
}

export async function barcodesTaken(db: Queryable, barcodes: string[]): Promise<string[]> {
  const { rows } = await db.query<{ barcode: string }>("SELECT barcode FROM variants WHERE barcode = ANY($1)", [
    barcodes,
  ]);
  return rows.map((r) => r.barcode);
}

/**
 * `count` in-store EAN-13 barcodes no variant uses: "2" (restricted circulation), 11 digits from a
 * sequence, a GS1 check digit (`next_store_barcode()`, 003_vat_barcodes.sql).
 */
export async function storeBarcodes(db: Queryable, count: number): Promise<string[]> {
  if (count === 0) return [];
  const { rows } = await db.query<{ barcode: string }>(
    "SELECT next_store_barcode() AS barcode FROM generate_series(1, $1::int)",
    [count],
  );
  return rows.map((r) => r.barcode);
}

/** Inserts variants in one statement, in the given order. */
export async function insertVariants(db: Queryable, variants: Variant[]): Promise<void> {
  if (variants.length === 0) return;
  await db.query(
    `INSERT INTO variants (id, product_id, sku, options, price, compare_at_price, currency, barcode, position)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[], $5::bigint[], $6::bigint[],
                          $7::text[], $8::text[], $9::int[])`,
    [
      variants.map((v) => v.id),
      variants.map((v) => v.productId),
      variants.map((v) => v.sku),
      variants.map((v) => JSON.stringify(v.options)),
      variants.map((v) => v.price),
      variants.map((v) => v.compareAtPrice),
      variants.map((v) => v.currency),
      variants.map((v) => v.barcode),
      variants.map((v) => v.position),
    ],
  );
}

export async function nextVariantPosition(db: Queryable, productId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    "SELECT COALESCE(max(position) + 1, 0)::int AS n FROM variants WHERE product_id = $1",
    [productId],
  );
  return rows[0]!.n;
}

export async function findVariant(db: Queryable, id: string): Promise<Variant | undefined> {
  const { rows } = await db.query<VariantRow>(
    `SELECT ${VARIANT_COLUMNS} FROM variants v JOIN products p ON p.id = v.product_id WHERE v.id = $1`,
    [id],
  );
  return rows[0] && toVariant(rows[0]);
}

export type VariantChanges = Partial<Pick<Variant, "options" | "barcode" | "compareAtPrice" | "price">>;

const VARIANT_CHANGE_COLUMNS: Record<keyof VariantChanges, string> = {
  options: "options",
  barcode: "barcode",
  compareAtPrice: "compare_at_price",
  price: "price",
};

export async function updateVariant(db: Queryable, id: string, changes: VariantChanges): Promise<Variant> {
  const keys = Object.keys(changes) as (keyof VariantChanges)[];
  const sets = keys.map((k, i) => `${VARIANT_CHANGE_COLUMNS[k]} = $${i + 2}`);
  const { rows } = await db.query<VariantRow>(
    `UPDATE variants v SET ${[...sets, "updated_at = now()"].join(", ")}
       FROM products p WHERE v.id = $1 AND p.id = v.product_id RETURNING ${VARIANT_COLUMNS}`,
    [id, ...keys.map((k) => (k === "options" ? JSON.stringify(changes[k]) : changes[k]))],
  );
  return toVariant(rows[0]!);
}

export interface VariantLookup extends Variant {
  productName: string;
  productSlug: string;
  productStatus: ProductStatus;
  /** The product's first image, small. */
  thumbnailUrl: string | null;
}

type LookupRow = VariantRow & {
  product_name: string;
  product_slug: string;
  product_status: ProductStatus;
  image_id: string | null;
};

const LOOKUP_COLUMNS = `${VARIANT_COLUMNS}, p.name AS product_name, p.slug AS product_slug, p.status AS product_status,
  (SELECT i.id FROM product_images i WHERE i.product_id = p.id ORDER BY i.position, i.id LIMIT 1) AS image_id`;

export async function findVariantsByIds(db: Queryable, ids: string[]): Promise<VariantLookup[]> {
  const { rows } = await db.query<LookupRow>({
    name: "catalog_variants_by_ids",
    text: `SELECT ${LOOKUP_COLUMNS}
             FROM variants v JOIN products p ON p.id = v.product_id
            WHERE v.id = ANY($1::uuid[])
            ORDER BY array_position($1::uuid[], v.id)`,
    values: [ids],
  });
  return rows.map(toLookup);
}

/**
 * Variants whose SKU or barcode is one of `codes` (exact match), in the order of the codes, in one
 * statement (the unique indexes on sku and barcode serve it).
 */
export async function findVariantsByCodes(db: Queryable, codes: string[]): Promise<VariantLookup[]> {
  const { rows } = await db.query<LookupRow>({
    name: "catalog_variants_by_codes",
    text: `SELECT ${LOOKUP_COLUMNS}
             FROM variants v JOIN products p ON p.id = v.product_id
            WHERE v.sku = ANY($1::text[]) OR v.barcode = ANY($1::text[])
            ORDER BY least(array_position($1::text[], v.sku), array_position($1::text[], v.barcode))`,
    values: [codes],
  });
  return rows.map(toLookup);
}

function toLookup(r: LookupRow): VariantLookup {
  return {
    ...toVariant(r),
    productName: r.product_name,
    productSlug: r.product_slug,
    productStatus: r.product_status,
    thumbnailUrl: r.image_id ? imageUrls(r.product_id, r.image_id).thumbnailUrl : null,
  };
}

// ---- prices ----

export async function insertPriceChange(db: Queryable, c: Omit<PriceChange, "changedAt">): Promise<void> {
  await db.query(
    `INSERT INTO price_history (id, variant_id, old_price, new_price, currency, changed_by)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [c.id, c.variantId, c.oldPrice, c.newPrice, c.currency, c.changedBy],
  );
}

export async function listPriceChanges(
  db: Queryable,
  variantId: string,
  page: { limit: number; offset: number },
): Promise<{ data: PriceChange[]; total: number }> {
  const { rows } = await db.query<{
    id: string;
    variant_id: string;
    old_price: string;
    new_price: string;
    currency: string;
    changed_by: string | null;
    changed_at: Date;
    total: number;
  }>(
    `SELECT id, variant_id, old_price, new_price, currency, changed_by, changed_at, count(*) OVER ()::int AS total
       FROM price_history WHERE variant_id = $1
      ORDER BY changed_at DESC, id DESC LIMIT $2 OFFSET $3`,
    [variantId, page.limit, page.offset],
  );
  const total =
    rows[0]?.total ??
    (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM price_history WHERE variant_id = $1", [variantId]))
      .rows[0]!.n;
  return {
    total,
    data: rows.map((r) => ({
      id: r.id,
      variantId: r.variant_id,
      oldPrice: Number(r.old_price),
      newPrice: Number(r.new_price),
      currency: r.currency,
      changedBy: r.changed_by,
      changedAt: r.changed_at.toISOString(),
    })),
  };
}

// ---- images ----

export async function insertImage(
  db: Queryable,
  image: { id: string; productId: string; alt: string | null; width: number; height: number },
): Promise<void> {
  await db.query(
    `INSERT INTO product_images (id, product_id, alt, position, width, height)
     VALUES ($1, $2, $3, (SELECT COALESCE(max(position) + 1, 0) FROM product_images WHERE product_id = $2), $4, $5)`,
    [image.id, image.productId, image.alt, image.width, image.height],
  );
}

export async function deleteImage(db: Queryable, productId: string, imageId: string): Promise<boolean> {
  const { rowCount } = await db.query("DELETE FROM product_images WHERE id = $1 AND product_id = $2", [
    imageId,
    productId,
  ]);
  return (rowCount ?? 0) > 0;
}

// ---- categories, as products see them ----

/** Locks the category against a concurrent child being added (which locks it FOR UPDATE). */
export async function lockCategoryShared(db: Queryable, id: string): Promise<{ hasChildren: boolean } | undefined> {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM categories WHERE id = $1 FOR SHARE", [id]);
  if (!rows[0]) return undefined;
  const children = await db.query("SELECT 1 FROM categories WHERE parent_id = $1 LIMIT 1", [id]);
  return { hasChildren: (children.rowCount ?? 0) > 0 };
}

export async function categoryHasProducts(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query("SELECT 1 FROM products WHERE category_id = $1 LIMIT 1", [id]);
  return (rowCount ?? 0) > 0;
}

/** The category and all its descendants' ids (the category itself first). */
export async function categoryWithDescendants(db: Queryable, id: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `WITH RECURSIVE down AS (
       SELECT id FROM categories WHERE id = $1
       UNION ALL
       SELECT c.id FROM categories c JOIN down d ON c.parent_id = d.id
     ) SELECT id FROM down`,
    [id],
  );
  return rows.map((r) => r.id);
}
