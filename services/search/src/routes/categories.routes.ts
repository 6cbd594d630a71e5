import { type App, type Db, Type, Id } from "@comptoir/platform";
import * as repo from "../db/categories.repo";

const SearchCategory = Type.Object({
  id: Id,
  parentId: Type.Union([Id, Type.Null()]),
  name: Type.String(),
  slug: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  position: Type.Integer(),
  updatedAt: Type.String({ format: "date-time", description: "when catalog made the change shown" }),
});

export function categoriesRoutes(app: App, deps: { db: Db }): void {
  app.get(
    "/api/search/categories",
    {
      schema: {
        tags: ["categories"],
        summary: "Every category, as built from catalog's events (flat: by parent, then position, then name)",
        response: { 200: Type.Object({ data: Type.Array(SearchCategory) }) },
      },
    },
    async () => ({ data: await repo.listCategories(deps.db) }),
  );
}
