import { DEFAULT_VAT_RATE, type VatRateValue } from "@comptoir/contracts";
import type { Outbox } from "@comptoir/events";
import {
  ConflictError,
  type Db,
  InvalidError,
  newId,
  NotFoundError,
  PgCode,
  pgConstraint,
  pgErrorCode,
  type Tx,
  withTx,
} from "@comptoir/platform";
import * as repo from "../db/products.repo";
import { removeImageFiles, storeImage } from "../images/image-store";
import {
  assertBarcode,
  assertCompareAtPrice,
  assertModifiable,
  barcodeTaken,
  duplicateKeyValue,
  duplicatesOf,
  moveStatus,
  type PriceChange,
  type Product,
  type ProductImage,
  productSnapshotOf,
  type ProductStatus,
  skuTaken,
  type Variant,
  variantCreatedOf,
} from "../model/product";
import { freeSlug } from "./slugs";
import type { TtlCache } from "../cache/ttl-cache";

export interface ProductsDeps {
  db: Db;
  /** Every change publishes its events in the change's own transaction. */
  outbox: Outbox;
  /** Where image renditions are written (`<imagesDir>/catalog/<productId>/…`). */
  imagesDir: string;
  /** Product lists' totals, by filter; cleared on this instance's writes. */
  totals: TtlCache<number>;
  /** Public list pages (JSON text), by filter and page; cleared on this instance's writes. */
  pages: TtlCache<string>;
}

export const DEFAULT_CURRENCY = "EUR";

export interface NewVariantInput {
  sku: string;
  options?: Record<string, string>;
  price: number;
  compareAtPrice?: number | null;
  /** Absent (or null): an in-store EAN-13 is given (storeBarcodes). */
  barcode?: string | null;
}

export interface CreateProductInput {
  categoryId: string;
  name: string;
  slug?: string;
  description?: string | null;
  brand?: string | null;
  attributes?: Record<string, string>;
  status?: "draft" | "active";
  /** Basis points; 2000 (20 %) when absent. */
  vatRate?: VatRateValue;
  variants: NewVariantInput[];
}

export interface UpdateProductInput {
  categoryId?: string;
  name?: string;
  slug?: string;
  description?: string | null;
  brand?: string | null;
  attributes?: Record<string, string>;
  status?: "draft" | "active";
  vatRate?: VatRateValue;
}

export interface UpdateVariantInput {
  options?: Record<string, string>;
  barcode?: string;
  compareAtPrice?: number | null;
}

export interface ListProductsQuery {
  page: number;
  limit: number;
  category?: string;
  status?: ProductStatus;
  q?: string;
}

export const productNotFound = (id: string) => new NotFoundError("product_not_found", `No product with id ${id}.`);
export const variantNotFound = (id: string) => new NotFoundError("variant_not_found", `No variant with id ${id}.`);
const imageNotFound = (id: string) => new NotFoundError("image_not_found", `No image with id ${id} on this product.`);
const categoryNotFound = (id: string) =>
  new InvalidError("category_not_found", `The category ${id} does not exist.`, {
    errors: [{ in: "body", field: "categoryId", message: "no category with this id" }],
  });
const categoryNotLeaf = (id: string) =>
  new ConflictError(
    "category_not_leaf",
    `The category ${id} has sub-categories; products go in leaf categories only.`,
    { errors: [{ in: "body", field: "categoryId", message: "is not a leaf category" }] },
  );
const productSlugTaken = (slug: string) =>
  new ConflictError("product_slug_taken", `Another product already uses the slug "${slug}".`, {
    errors: [{ in: "body", field: "slug", message: "is already used by another product" }],
  });

// ---- reads ----

/**
 * A product by id or slug, as the API's JSON text (built by PostgreSQL, sent as is). Drafts are
 * shown only to callers who may edit the catalog (404 for others); archived products stay readable.
 */
export async function getProductJson(
  deps: ProductsDeps,
  key: { id: string } | { slug: string },
  canSeeDrafts: boolean,
): Promise<string> {
  const found = await repo.findProductJson(deps.db, key);
  if (!found || (found.status === "draft" && !canSeeDrafts)) {
    throw "id" in key
      ? productNotFound(key.id)
      : new NotFoundError("product_not_found", `No product with slug ${key.slug}.`);
  }
  return found.json;
}

export interface ProductPage {
  /** The JSON text of the page's products (an array). */
  dataJson: string;
  pagination: { page: number; limit: number; total: number };
}

/**
 * A page of products, newest first. `category` includes its descendants (a shopper browsing
 * "Mode" sees the dresses of "Mode › Femme › Robes"). Callers without catalog:write see active
 * products only, whatever `status` they ask for; editors see every status unless they filter.
 * The total comes from the totals cache, and a public page from the pages cache (see TtlCache):
 * editors get fresh pages, shoppers pages at most PRODUCTS_PAGE_CACHE_MS old.
 */
export async function listProducts(
  deps: ProductsDeps,
  query: ListProductsQuery,
  canSeeAll: boolean,
): Promise<ProductPage> {
  const filter: repo.ProductFilter = {};
  if (query.category) {
    const ids = await repo.categoryWithDescendants(deps.db, query.category);
    if (ids.length === 0) {
      throw new InvalidError("category_not_found", `The category ${query.category} does not exist.`, {
        errors: [{ in: "querystring", field: "category", message: "no category with this id" }],
      });
    }
    filter.categoryIds = ids;
  }
  if (!canSeeAll) filter.statuses = ["active"];
  else if (query.status) filter.statuses = [query.status];
  const q = query.q?.trim();
  if (q) filter.q = q;
  const offset = (query.page - 1) * query.limit;
  const key = JSON.stringify(filter);
  const read = () => repo.listProductsJson(deps.db, filter, { limit: query.limit, offset });
  const [dataJson, total] = await Promise.all([
    canSeeAll ? read() : deps.pages.get(`${key} ${query.page} ${query.limit}`, read),
    deps.totals.get(key, () => repo.countProducts(deps.db, filter)),
  ]);
  return { dataJson, pagination: { page: query.page, limit: query.limit, total } };
}

/**
 * Variants by id, or by code (a SKU or a barcode, exact match: what a till scans), with their
 * product's name, status, VAT rate and price; unknown ids or codes are left out. Exactly one of the
 * two (400 validation_failed otherwise).
 */
export async function lookupVariants(
  deps: ProductsDeps,
  query: { ids?: string | undefined; codes?: string | undefined },
): Promise<repo.VariantLookup[]> {
  if ((query.ids === undefined) === (query.codes === undefined)) {
    throw new InvalidError("validation_failed", "Give either `ids` or `codes`, not both nor neither.", {
      errors: [{ in: "querystring", field: query.ids === undefined ? "ids" : "codes", message: "give ids or codes" }],
    });
  }
  if (query.ids !== undefined) return repo.findVariantsByIds(deps.db, [...new Set(query.ids.toLowerCase().split(","))]);
  return repo.findVariantsByCodes(deps.db, [...new Set(query.codes!.split(","))]);
}

// ---- products ----

export async function createProduct(deps: ProductsDeps, input: CreateProductInput): Promise<Product> {
  const skus = input.variants.map((v) => v.sku);
  const repeatedSku = duplicatesOf(skus)[0];
  if (repeatedSku !== undefined) throw skuTaken(repeatedSku, `variants.${skus.lastIndexOf(repeatedSku)}.sku`);
  input.variants.forEach((v, i) => v.barcode && assertBarcode(v.barcode, `variants.${i}.barcode`));
  const barcodes = input.variants.map((v) => v.barcode).filter((b): b is string => !!b);
  const repeatedBarcode = duplicatesOf(barcodes)[0];
  if (repeatedBarcode !== undefined) {
    throw barcodeTaken(
      repeatedBarcode,
      `variants.${input.variants.map((v) => v.barcode).lastIndexOf(repeatedBarcode)}.barcode`,
    );
  }
  input.variants.forEach((v, i) => assertCompareAtPrice(v.price, v.compareAtPrice, `variants.${i}.compareAtPrice`));

  return write(deps, (tx) => createProductInTx(tx, deps.outbox, input));
}

/**
 * The body of a product creation, in the caller's transaction (the demo seeding runs many in
 * one): leaf check under a share lock on the category, product and variants inserted, then
 * `catalog.product.created` and one `catalog.variant.created` per variant.
 */
export async function createProductInTx(
  tx: Tx,
  outbox: Outbox,
  input: CreateProductInput,
  extra: {
    id?: string;
    images?: { id: string; alt: string | null; width: number; height: number }[];
    /** The demo catalog's seeding: its variants are announced as demo (inventory stocks those only). */
    demo?: boolean;
  } = {},
): Promise<Product> {
  await assertLeafCategory(tx, input.categoryId);
  const taken = await repo.skusTaken(
    tx,
    input.variants.map((v) => v.sku),
  );
  if (taken.length > 0) {
    const i = input.variants.findIndex((v) => v.sku === taken[0]);
    throw skuTaken(taken[0]!, `variants.${i}.sku`);
  }
  const given = input.variants.map((v) => v.barcode).filter((b): b is string => !!b);
  const barcodeUsed = given.length > 0 ? (await repo.barcodesTaken(tx, given))[0] : undefined;
  if (barcodeUsed !== undefined) {
    throw barcodeTaken(barcodeUsed, `variants.${input.variants.findIndex((v) => v.barcode === barcodeUsed)}.barcode`);
  }
  const instore = await repo.storeBarcodes(tx, input.variants.length - given.length);
  const name = input.name.trim();
  const slug =
    input.slug ??
    (await freeSlug({
      entity: "product",
      name,
      count: 50,
      taken: (candidates) => repo.productSlugsTaken(tx, candidates),
      allTaken: productSlugTaken,
    }));
  const id = extra.id ?? newId();
  const vatRate = input.vatRate ?? DEFAULT_VAT_RATE;
  const variants: Variant[] = input.variants.map((v, position) => ({
    id: newId(),
    productId: id,
    sku: v.sku,
    options: v.options ?? {},
    price: v.price,
    compareAtPrice: v.compareAtPrice ?? null,
    currency: DEFAULT_CURRENCY,
    barcode: v.barcode || instore.shift()!,
    position,
    vatRate,
  }));
  try {
    await repo.insertProduct(tx, {
      id,
      categoryId: input.categoryId,
      name,
      slug,
      description: input.description ?? null,
      brand: input.brand?.trim() || null,
      attributes: input.attributes ?? {},
      status: input.status ?? "draft",
      vatRate,
    });
    await repo.insertVariants(tx, variants);
  } catch (error) {
    throw translateWriteError(error, { slug, categoryId: input.categoryId });
  }
  for (const image of extra.images ?? []) await repo.insertImage(tx, { ...image, productId: id });
  const product = await repo.saveDocument(tx, id);
  await outbox.publish(tx, { type: "catalog.product.created", subject: id, data: productSnapshotOf(product) });
  for (const variant of product.variants) {
    await outbox.publish(tx, {
      type: "catalog.variant.created",
      subject: id,
      data: variantCreatedOf(product, variant, { demo: extra.demo }),
    });
  }
  return product;
}

export async function updateProduct(deps: ProductsDeps, id: string, input: UpdateProductInput): Promise<Product> {
  const product = await write(deps, async (tx) => {
    const current = await lockedProduct(tx, id);
    const changes: repo.ProductChanges = {};
    const name = input.name?.trim();
    if (name !== undefined && name !== current.name) changes.name = name;
    if (input.slug !== undefined && input.slug !== current.slug) changes.slug = input.slug;
    if (input.description !== undefined && input.description !== current.description) {
      changes.description = input.description;
    }
    const brand = input.brand === undefined ? undefined : input.brand?.trim() || null;
    if (brand !== undefined && brand !== current.brand) changes.brand = brand;
    if (input.attributes !== undefined && !sameMap(input.attributes, current.attributes)) {
      changes.attributes = input.attributes;
    }
    if (input.status !== undefined && input.status !== current.status)
      changes.status = moveStatus(current, input.status);
    if (input.vatRate !== undefined && input.vatRate !== current.vatRate) changes.vatRate = input.vatRate;
    if (input.categoryId !== undefined && input.categoryId !== current.categoryId) {
      await assertLeafCategory(tx, input.categoryId);
      changes.categoryId = input.categoryId;
    }
    if (Object.keys(changes).length === 0) return current;
    try {
      await repo.updateProduct(tx, id, changes);
    } catch (error) {
      throw translateWriteError(error, { slug: changes.slug, categoryId: changes.categoryId });
    }
    return publishUpdated(tx, deps.outbox, id);
  });
  return product;
}

/** Archives a product: no longer sold nor listed publicly; kept, with its variants, for history. */
export async function archiveProduct(deps: ProductsDeps, id: string): Promise<Product> {
  const product = await write(deps, async (tx) => {
    const current = await lockedProduct(tx, id);
    await repo.updateProduct(tx, id, { status: moveStatus(current, "archived") });
    await deps.outbox.publish(tx, {
      type: "catalog.product.archived",
      subject: id,
      data: { id, name: current.name, slug: current.slug, variantIds: current.variants.map((v) => v.id) },
    });
    return repo.saveDocument(tx, id);
  });
  return product;
}

// ---- variants ----

/**
 * Adds a variant: `catalog.variant.created` (inventory learns of it), then `catalog.product.updated`
 * with the whole product (search replaces its copy).
 */
export async function addVariant(deps: ProductsDeps, productId: string, input: NewVariantInput): Promise<Variant> {
  assertCompareAtPrice(input.price, input.compareAtPrice);
  if (input.barcode) assertBarcode(input.barcode);
  return write(deps, async (tx) => {
    const product = await lockedProduct(tx, productId);
    if ((await repo.skusTaken(tx, [input.sku])).length > 0) throw skuTaken(input.sku, "sku");
    if (input.barcode && (await repo.barcodesTaken(tx, [input.barcode])).length > 0) throw barcodeTaken(input.barcode);
    const variant: Variant = {
      id: newId(),
      productId,
      sku: input.sku,
      options: input.options ?? {},
      price: input.price,
      compareAtPrice: input.compareAtPrice ?? null,
      currency: DEFAULT_CURRENCY,
      barcode: input.barcode || (await repo.storeBarcodes(tx, 1))[0]!,
      position: await repo.nextVariantPosition(tx, productId),
      vatRate: product.vatRate,
    };
    try {
      await repo.insertVariants(tx, [variant]);
    } catch (error) {
      throw translateWriteError(error, { skuField: "sku" });
    }
    await repo.touchProduct(tx, productId);
    await deps.outbox.publish(tx, {
      type: "catalog.variant.created",
      subject: productId,
      data: variantCreatedOf(product, variant),
    });
    await publishUpdated(tx, deps.outbox, productId);
    return variant;
  });
}

export async function updateVariant(deps: ProductsDeps, id: string, input: UpdateVariantInput): Promise<Variant> {
  if (input.barcode !== undefined) assertBarcode(input.barcode);
  return write(deps, async (tx) => {
    const current = await lockedVariant(tx, id);
    const changes: repo.VariantChanges = {};
    if (input.options !== undefined && !sameMap(input.options, current.options)) changes.options = input.options;
    if (input.barcode !== undefined && input.barcode !== current.barcode) changes.barcode = input.barcode;
    if (input.compareAtPrice !== undefined && input.compareAtPrice !== current.compareAtPrice) {
      assertCompareAtPrice(current.price, input.compareAtPrice);
      changes.compareAtPrice = input.compareAtPrice;
    }
    if (Object.keys(changes).length === 0) return current;
    let updated: Variant;
    try {
      updated = await repo.updateVariant(tx, id, changes);
    } catch (error) {
      throw translateWriteError(error, {});
    }
    await repo.touchProduct(tx, current.productId);
    await publishUpdated(tx, deps.outbox, current.productId);
    return updated;
  });
}

// ---- prices ----

export interface SetPriceInput {
  price: number;
  /** Absent: kept as it is (it must stay above the new price); null: removed. */
  compareAtPrice?: number | null;
}

/**
 * Changes a variant's price: the change is kept in its history (who, when, old → new) and
 * announced by `catalog.variant.price_changed`. The same price changes nothing and announces
 * nothing. A compare-at price change alone is announced by `catalog.product.updated`.
 */
export async function setPrice(
  deps: ProductsDeps,
  variantId: string,
  input: SetPriceInput,
  changedBy: string | null,
): Promise<Variant> {
  return write(deps, async (tx) => {
    const current = await lockedVariant(tx, variantId);
    const compareAtPrice = input.compareAtPrice === undefined ? current.compareAtPrice : input.compareAtPrice;
    assertCompareAtPrice(input.price, compareAtPrice);
    const changes: repo.VariantChanges = {};
    if (input.price !== current.price) changes.price = input.price;
    if (compareAtPrice !== current.compareAtPrice) changes.compareAtPrice = compareAtPrice;
    if (Object.keys(changes).length === 0) return current;
    const updated = await repo.updateVariant(tx, variantId, changes);
    await repo.touchProduct(tx, current.productId);
    if (changes.price !== undefined) {
      await repo.saveDocument(tx, current.productId);
      await repo.insertPriceChange(tx, {
        id: newId(),
        variantId,
        oldPrice: current.price,
        newPrice: updated.price,
        currency: updated.currency,
        changedBy,
      });
      await deps.outbox.publish(tx, {
        type: "catalog.variant.price_changed",
        subject: current.productId,
        data: {
          variantId,
          productId: current.productId,
          sku: updated.sku,
          oldPrice: current.price,
          newPrice: updated.price,
          currency: updated.currency,
          changedBy,
        },
      });
    } else {
      await publishUpdated(tx, deps.outbox, current.productId);
    }
    return updated;
  });
}

export async function priceHistory(
  deps: ProductsDeps,
  variantId: string,
  page: { page: number; limit: number },
): Promise<{ data: PriceChange[]; pagination: { page: number; limit: number; total: number } }> {
  if (!(await repo.findVariant(deps.db, variantId))) throw variantNotFound(variantId);
  const { data, total } = await repo.listPriceChanges(deps.db, variantId, {
    limit: page.limit,
    offset: (page.page - 1) * page.limit,
  });
  return { data, pagination: { ...page, total } };
}

// ---- images ----

/**
 * Validates and resizes the upload (outside the transaction: decoding takes a while), then records
 * the image and announces the product's new state. If the product turns out to be missing or
 * archived, the files just written are removed.
 */
export async function addImage(
  deps: ProductsDeps,
  productId: string,
  upload: { data: Buffer; alt: string | null },
): Promise<ProductImage> {
  const before = await repo.findProduct(deps.db, productId);
  if (!before) throw productNotFound(productId);
  assertModifiable(before);
  const imageId = newId();
  const stored = await storeImage(deps.imagesDir, productId, imageId, upload.data);
  try {
    return await write(deps, async (tx) => {
      await lockedProduct(tx, productId);
      await repo.insertImage(tx, {
        id: imageId,
        productId,
        alt: upload.alt,
        width: stored.width,
        height: stored.height,
      });
      await repo.touchProduct(tx, productId);
      const product = await publishUpdated(tx, deps.outbox, productId);
      return product.images.find((i) => i.id === imageId)!;
    });
  } catch (error) {
    await removeImageFiles(deps.imagesDir, productId, imageId);
    throw error;
  }
}

export async function removeImage(deps: ProductsDeps, productId: string, imageId: string): Promise<void> {
  await write(deps, async (tx) => {
    await lockedProduct(tx, productId);
    if (!(await repo.deleteImage(tx, productId, imageId))) throw imageNotFound(imageId);
    await repo.touchProduct(tx, productId);
    await publishUpdated(tx, deps.outbox, productId);
  });
  // After the commit: a rolled-back delete keeps its files.
  await removeImageFiles(deps.imagesDir, productId, imageId);
}

// ---- helpers ----

/** Runs a change in one transaction; the lists this instance remembers are forgotten. */
async function write<T>(deps: ProductsDeps, fn: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await withTx(deps.db, fn);
  } finally {
    deps.totals.clear();
    deps.pages.clear();
  }
}

/** The product, locked for this transaction; 404 if unknown, 409 if archived. */
async function lockedProduct(tx: Tx, id: string): Promise<Product> {
  if (!(await repo.lockProduct(tx, id))) throw productNotFound(id);
  const product = (await repo.findProduct(tx, id))!;
  assertModifiable(product);
  return product;
}

/** The variant, its product locked (so changes to one product queue up); 404, or 409 if archived. */
async function lockedVariant(tx: Tx, id: string): Promise<Variant> {
  const found = await repo.findVariant(tx, id);
  if (!found) throw variantNotFound(id);
  await lockedProduct(tx, found.productId);
  return (await repo.findVariant(tx, id))!;
}

/** Saves the product's new document and announces it with `catalog.product.updated`. */
async function publishUpdated(tx: Tx, outbox: Outbox, id: string): Promise<Product> {
  const product = await repo.saveDocument(tx, id);
  await outbox.publish(tx, { type: "catalog.product.updated", subject: id, data: productSnapshotOf(product) });
  return product;
}

/**
 * Products go in leaf categories only. The share lock on the category conflicts with the update
 * lock a new sub-category takes on its parent, so a product and a child cannot both slip in.
 */
async function assertLeafCategory(tx: Tx, categoryId: string): Promise<void> {
  const category = await repo.lockCategoryShared(tx, categoryId);
  if (!category) throw categoryNotFound(categoryId);
  if (category.hasChildren) throw categoryNotLeaf(categoryId);
}

function translateWriteError(
  error: unknown,
  context: { slug?: string | undefined; categoryId?: string | undefined; skuField?: string },
): unknown {
  const code = pgErrorCode(error);
  const constraint = pgConstraint(error);
  const value = duplicateKeyValue((error as { detail?: string }).detail);
  if (code === PgCode.uniqueViolation) {
    if (constraint === "variants_sku_key") return skuTaken(value ?? "?", context.skuField ?? "variants");
    if (constraint === "variants_barcode_key") return barcodeTaken(value ?? "?");
    if (constraint === "products_slug_key") return productSlugTaken(context.slug ?? value ?? "?");
  }
  if (code === PgCode.foreignKeyViolation && context.categoryId) return categoryNotFound(context.categoryId);
  return error;
}

function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}
