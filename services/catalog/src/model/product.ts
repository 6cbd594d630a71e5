import type { EventData, VatRateValue } from "@comptoir/contracts";
import { ConflictError, InvalidError } from "@comptoir/platform";

export type ProductStatus = "draft" | "active" | "archived";

/** A variant as the API shows it. Prices are integer minor units of `currency`. */
export interface Variant {
  id: string;
  productId: string;
  sku: string;
  options: Record<string, string>;
  price: number;
  compareAtPrice: number | null;
  currency: string;
  barcode: string | null;
  position: number;
  /** Its product's VAT rate, in basis points (prices include it). */
  vatRate: VatRateValue;
}

export interface ProductImage {
  id: string;
  thumbnailUrl: string;
  largeUrl: string;
  alt: string | null;
  position: number;
}

/** A product with its variants (by position) and images (by position). */
export interface Product {
  id: string;
  categoryId: string;
  name: string;
  slug: string;
  description: string | null;
  brand: string | null;
  attributes: Record<string, string>;
  status: ProductStatus;
  /** VAT rate of every variant, in basis points (contracts' VAT_RATES); prices include it. */
  vatRate: VatRateValue;
  createdAt: string;
  updatedAt: string;
  variants: Variant[];
  images: ProductImage[];
}

/** One change of a variant's price, as its history shows it. */
export interface PriceChange {
  id: string;
  variantId: string;
  oldPrice: number;
  newPrice: number;
  currency: string;
  changedBy: string | null;
  changedAt: string;
}

export type ProductSnapshot = EventData<"catalog.product.created">;
export type VariantCreatedData = EventData<"catalog.variant.created">;

export function variantSnapshotOf(v: Variant): ProductSnapshot["variants"][number] {
  return {
    id: v.id,
    sku: v.sku,
    options: v.options,
    price: v.price,
    compareAtPrice: v.compareAtPrice,
    currency: v.currency,
    barcode: v.barcode,
  };
}

/** What `catalog.product.created|updated` carry: the whole product, variants and images included. */
export function productSnapshotOf(p: Product): ProductSnapshot {
  return {
    id: p.id,
    name: p.name,
    slug: p.slug,
    description: p.description,
    brand: p.brand,
    categoryId: p.categoryId,
    status: p.status,
    attributes: p.attributes,
    vatRate: p.vatRate,
    variants: p.variants.map(variantSnapshotOf),
    images: p.images.map(({ id, thumbnailUrl, largeUrl, alt, position }) => ({
      id,
      thumbnailUrl,
      largeUrl,
      alt,
      position,
    })),
  };
}

export function variantCreatedOf(
  p: Pick<Product, "id" | "name" | "status" | "vatRate">,
  v: Variant,
  options: { demo?: boolean } = {},
): VariantCreatedData {
  return {
    ...variantSnapshotOf(v),
    productId: p.id,
    productName: p.name,
    productStatus: p.status,
    vatRate: p.vatRate,
    ...(options.demo ? { demo: true as const } : {}),
  };
}

/** The public paths of an image's two renditions (the gateway serves `/images/…`). */
export function imageUrls(productId: string, imageId: string): { thumbnailUrl: string; largeUrl: string } {
  return {
    thumbnailUrl: `/images/catalog/${productId}/${imageId}-thumb.webp`,
    largeUrl: `/images/catalog/${productId}/${imageId}-large.webp`,
  };
}

/** An archived product is kept for history; it cannot change any more. */
export function assertModifiable(p: Pick<Product, "id" | "status">): void {
  if (p.status === "archived") {
    throw new ConflictError("product_archived", `Product ${p.id} is archived and can no longer be changed.`);
  }
}

/**
 * The product's status after a move to `to`: draft and active go back and forth and either may be
 * archived; archived is final, so any move from it (archiving again included) is a 409 product_archived.
 */
export function moveStatus(p: Pick<Product, "id" | "status">, to: ProductStatus): ProductStatus {
  assertModifiable(p);
  return to;
}

/** The crossed-out price must be above the selling price (or absent). */
export function assertCompareAtPrice(
  price: number,
  compareAtPrice: number | null | undefined,
  field = "compareAtPrice",
): void {
  if (compareAtPrice !== null && compareAtPrice !== undefined && compareAtPrice <= price) {
    throw new InvalidError(
      "compare_at_price_not_above_price",
      `The compare-at price (${compareAtPrice}) must be greater than the price (${price}); send null to remove it.`,
      { errors: [{ in: "body", field, message: "must be greater than the price" }] },
    );
  }
}

/** SKUs that appear more than once in a list (the first of each repeat, in order). */
export function duplicatesOf(values: string[]): string[] {
  const seen = new Set<string>();
  const dupes: string[] = [];
  for (const v of values) {
    if (seen.has(v) && !dupes.includes(v)) dupes.push(v);
    seen.add(v);
  }
  return dupes;
}

export const skuTaken = (sku: string, field = "variants") =>
  new ConflictError("sku_taken", `The SKU "${sku}" is already used by another variant.`, {
    errors: [{ in: "body", field, message: `SKU ${sku} is already used` }],
    extensions: { sku },
  });

export const barcodeTaken = (barcode: string, field = "barcode") =>
  new ConflictError("barcode_taken", `The barcode "${barcode}" is already used by another variant.`, {
    errors: [{ in: "body", field, message: `barcode ${barcode} is already used` }],
    extensions: { barcode },
  });

/** The GS1 check digit of a code's digits without it (EAN-8, UPC-A, EAN-13, GTIN-14): weights 3, 1, 3... from the right. */
export function gs1CheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) sum += Number(body[body.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return (10 - (sum % 10)) % 10;
}

/** The GS1 lengths whose last digit is a check digit: EAN-8, UPC-A (12), EAN-13, GTIN-14. */
const CHECKED_LENGTHS = new Set([8, 12, 13, 14]);

/**
 * A barcode given by a caller: 8 to 14 digits (the route's schema says so), and a valid check digit
 * when it is an EAN-8, a UPC-A, an EAN-13 or a GTIN-14. 400 invalid_barcode otherwise.
 */
export function assertBarcode(barcode: string, field = "barcode"): void {
  const valid =
    /^[0-9]{8,14}$/.test(barcode) &&
    (!CHECKED_LENGTHS.has(barcode.length) || gs1CheckDigit(barcode.slice(0, -1)) === Number(barcode.at(-1)));
  if (!valid) {
    throw new InvalidError(
      "invalid_barcode",
      `The barcode "${barcode}" is not valid: 8 to 14 digits, the last one a GS1 check digit for 8, 12, 13 or 14.`,
      { errors: [{ in: "body", field, message: "is not a valid barcode (wrong check digit)" }] },
    );
  }
}

/** Extracts the value from PostgreSQL's unique violation detail: `Key (sku)=(ABC-1) already exists.` */
export function duplicateKeyValue(detail: string | undefined): string | undefined {
  const match = /^Key \([^)]*\)=\((.*)\) already exists\.?$/.exec(detail ?? "");
  return match?.[1];
}
