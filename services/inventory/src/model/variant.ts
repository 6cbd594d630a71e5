import { Id, NotFoundError, type Static, Type } from "@comptoir/platform";

export const VariantStatus = Type.Union([Type.Literal("draft"), Type.Literal("active"), Type.Literal("archived")]);
export type VariantStatus = Static<typeof VariantStatus>;

/** A variant as inventory knows it from catalog's events (its read model: never sent to another service). */
export const KnownVariant = Type.Object({
  id: Id,
  productId: Id,
  sku: Type.String(),
  name: Type.String({ description: "the product's name (what an alert e-mail shows)" }),
  status: VariantStatus,
});
export type KnownVariant = Static<typeof KnownVariant>;

export const variantNotFound = (id: string) =>
  new NotFoundError("variant_not_found", `No known variant with id ${id}.`);
