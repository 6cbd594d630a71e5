import { type App, type Db, Type } from "@comptoir/platform";
import * as categories from "../domain/categories.use-cases";
import { SearchCategory } from "../model/category";

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
    async () => ({ data: await categories.listCategories(deps) }),
  );
}
