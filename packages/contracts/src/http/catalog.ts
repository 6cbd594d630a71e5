import { type Static, Type } from "typebox";
import { endpoint } from "./endpoint";
import { VatRate } from "../vat";
import { Id, IdList, Nullable } from "./schemas";

/** The most ids (or codes) one lookup takes. */
export const MAX_VARIANT_LOOKUP = 200;

/** A code a till scans or types: a SKU or a barcode (letters, digits, . _ / -; at most 64 characters). */
const CODE = "[A-Za-z0-9._/-]{1,64}";

export const ProductStatus = Type.Union([Type.Literal("draft"), Type.Literal("active"), Type.Literal("archived")]);
export type ProductStatus = Static<typeof ProductStatus>;

/** A variant's own fields, as catalog answers them everywhere. */
export const VariantFields = {
  id: Id,
  productId: Id,
  sku: Type.String(),
  options: Type.Record(Type.String(), Type.String()),
  price: Type.Integer(),
  compareAtPrice: Nullable(Type.Integer()),
  currency: Type.String(),
  barcode: Nullable(Type.String()),
  position: Type.Integer(),
  /** The product's VAT rate (prices include it). */
  vatRate: VatRate,
};

/** A variant with what a cart line or an order line shows of its product. */
export const VariantSummary = Type.Object({
  ...VariantFields,
  productName: Type.String(),
  productSlug: Type.String(),
  productStatus: ProductStatus,
  thumbnailUrl: Nullable(Type.String()),
});
export type VariantSummary = Static<typeof VariantSummary>;

/**
 * Variants by id, or by code (a SKU or a barcode, exact match: a till's scan): public. Exactly one of
 * `ids` and `codes` (both or neither: 400 validation_failed). Unknown ids or codes are left out; the
 * order of `ids` (or `codes`) is kept.
 */
export const lookupVariants = endpoint({
  method: "GET",
  path: "/api/catalog/variants",
  query: Type.Object(
    {
      ids: Type.Optional(IdList(MAX_VARIANT_LOOKUP, "variant")),
      codes: Type.Optional(
        Type.String({
          pattern: `^${CODE}(,${CODE}){0,${MAX_VARIANT_LOOKUP - 1}}$`,
          maxLength: MAX_VARIANT_LOOKUP * 65 - 1,
          description: `comma-separated SKUs or barcodes, at most ${MAX_VARIANT_LOOKUP}`,
        }),
      ),
    },
    { additionalProperties: false },
  ),
  responses: { 200: Type.Object({ data: Type.Array(VariantSummary) }) },
});

export const endpoints = { lookupVariants };
