import { Id, type Static, Type } from "@comptoir/platform";

/** A category of the read model, as the API shows it: catalog's latest state of it. */
export const SearchCategory = Type.Object({
  id: Id,
  parentId: Type.Union([Id, Type.Null()]),
  name: Type.String(),
  slug: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  position: Type.Integer(),
  updatedAt: Type.String({ format: "date-time", description: "when catalog made the change shown" }),
});
export type SearchCategory = Static<typeof SearchCategory>;
