import { Type } from "typebox";
import { Amount, CurrencyCode, Nullable, Sku, Uuid } from "./common";
import { VatRate } from "../vat";
import { defineEvent } from "./define";

const Id = Uuid;

export const CategorySnapshot = Type.Object({
  id: Id,
  parentId: Type.Union([Id, Type.Null()]),
  name: Type.String(),
  slug: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  position: Type.Integer(),
});

export const ProductStatus = Type.Union([Type.Literal("draft"), Type.Literal("active"), Type.Literal("archived")]);

/** Free attributes and variant options (`{ size: "M", color: "navy" }`). */
export const StringMap = Type.Record(Type.String(), Type.String());

/** A variant as sold: what inventory, search, cart and orders need to know of it. */
const variantFields = {
  id: Id,
  sku: Sku,
  options: StringMap,
  price: Amount,
  /** The crossed-out "was" price; null when none. */
  compareAtPrice: Nullable(Amount),
  currency: CurrencyCode,
  barcode: Nullable(Type.String({ minLength: 1 })),
};

export const VariantSnapshot = Type.Object(variantFields);

/** A product image, resized on upload; paths are served by the gateway under `/images/`. */
export const ProductImage = Type.Object({
  id: Id,
  thumbnailUrl: Type.String({ minLength: 1 }),
  largeUrl: Type.String({ minLength: 1 }),
  alt: Nullable(Type.String()),
  position: Type.Integer({ minimum: 0 }),
});

/** A product with all its variants and images: enough for search to index it without calling back. */
export const ProductSnapshot = Type.Object({
  id: Id,
  name: Type.String({ minLength: 1 }),
  slug: Type.String({ minLength: 1 }),
  description: Nullable(Type.String()),
  brand: Nullable(Type.String({ minLength: 1 })),
  categoryId: Id,
  status: ProductStatus,
  attributes: StringMap,
  /** The VAT rate of all its variants (absent on events from before catalog kept one: 2000, 20 %). */
  vatRate: Type.Optional(VatRate),
  variants: Type.Array(VariantSnapshot),
  images: Type.Array(ProductImage),
});

export const catalogEvents = {
  "catalog.category.created": defineEvent({
    version: 1,
    subject: "category id",
    description: "A category was created.",
    data: CategorySnapshot,
  }),
  "catalog.category.updated": defineEvent({
    version: 1,
    subject: "category id",
    description: "A category was renamed, re-slugged, moved or reordered; data is its new state.",
    data: CategorySnapshot,
  }),
  "catalog.category.deleted": defineEvent({
    version: 1,
    subject: "category id",
    description: "A category was deleted (only empty leaves can be).",
    data: Type.Object({ id: Id }),
  }),
  "catalog.product.created": defineEvent({
    version: 1,
    subject: "product id",
    description:
      "A product was created with its variants (one transaction); data is its full state. " +
      "Each of its variants is also announced by catalog.variant.created, right after.",
    data: ProductSnapshot,
  }),
  "catalog.product.updated": defineEvent({
    version: 1,
    subject: "product id",
    description:
      "A product changed (fields, VAT rate, status, category, images, a variant's options or barcode); data is its full " +
      "new state, variants included, to replace the previous one.",
    data: ProductSnapshot,
  }),
  "catalog.product.archived": defineEvent({
    version: 1,
    subject: "product id",
    description: "A product was archived: no longer sold nor found by search; its variants stay known for history.",
    data: Type.Object({
      id: Id,
      name: Type.String({ minLength: 1 }),
      slug: Type.String({ minLength: 1 }),
      variantIds: Type.Array(Id),
    }),
  }),
  "catalog.variant.created": defineEvent({
    version: 1,
    subject: "product id",
    description:
      "A variant was created, with its product or added to it later; inventory learns the variants it stocks from it.",
    data: Type.Object({
      ...variantFields,
      productId: Id,
      productName: Type.String({ minLength: 1 }),
      productStatus: ProductStatus,
      /** Its product's VAT rate (absent on events from before catalog kept one: 2000, 20 %). */
      vatRate: Type.Optional(VatRate),
      /**
       * Set (true) on the demo catalog's variants only: in demo mode, inventory gives those demo stock,
       * never a product someone created. Absent otherwise (events from before it were never demo-marked).
       */
      demo: Type.Optional(Type.Literal(true)),
    }),
  }),
  "catalog.variant.price_changed": defineEvent({
    version: 1,
    subject: "product id",
    description: "A variant's price changed (the change is kept in its price history).",
    data: Type.Object({
      variantId: Id,
      productId: Id,
      sku: Sku,
      oldPrice: Amount,
      newPrice: Amount,
      currency: CurrencyCode,
      /** The staff member who changed it; null for an import or a system change. */
      changedBy: Nullable(Id),
    }),
  }),
};
