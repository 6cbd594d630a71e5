import { type Static, Type } from "typebox";
import { endpoint } from "./endpoint";
import { Id, IdList, Nullable } from "./schemas";

/** The most ids one lookup takes. */
export const MAX_VARIANT_LOOKUP = 200;

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

/** Variants by id: public; unknown ids are left out, the order of `ids` is kept. */
export const lookupVariants = endpoint({
  method: "GET",
  path: "/api/catalog/variants",
  query: Type.Object({ ids: IdList(MAX_VARIANT_LOOKUP, "variant") }, { additionalProperties: false }),
  responses: { 200: Type.Object({ data: Type.Array(VariantSummary) }) },
});

export const endpoints = { lookupVariants };
