import { type App, bearerAuth, requirePermission, Type, Id, problemResponses } from "@comptoir/platform";
import * as categories from "../domain/categories.use-cases";
import { Category, CategoryDetail, CategoryNode, MAX_SLUG_LENGTH, SLUG_PATTERN } from "../model/category";

const Name = Type.String({ minLength: 1, maxLength: 120, pattern: "\\S" });
const Slug = Type.String({
  pattern: SLUG_PATTERN,
  maxLength: MAX_SLUG_LENGTH,
  description: "lower-case letters, digits and single dashes",
});
const Description = Type.Union([Type.String({ maxLength: 2000 }), Type.Null()]);
const Position = Type.Integer({ minimum: 0, maximum: 1_000_000, description: "order among siblings, ascending" });

const Params = Type.Object({ id: Id });

export function categoriesRoutes(app: App, deps: categories.CategoriesDeps): void {
  const canWrite = requirePermission("catalog:write");
  app.get(
    "/api/catalog/categories",
    {
      schema: {
        tags: ["categories"],
        summary: "The category tree",
        response: { 200: Type.Object({ data: Type.Array(CategoryNode) }) },
      },
    },
    async () => ({ data: await categories.getCategoryTree(deps) }),
  );

  app.get(
    "/api/catalog/categories/:id",
    {
      schema: {
        tags: ["categories"],
        summary: "A category with its ancestors (breadcrumb) and children",
        params: Params,
        response: { 200: CategoryDetail, ...problemResponses(400, 404) },
      },
    },
    async (request) => categories.getCategory(deps, request.params.id),
  );

  app.post(
    "/api/catalog/categories",
    {
      onRequest: canWrite,
      schema: {
        ...bearerAuth,
        tags: ["categories"],
        summary: "Create a category (catalog:write)",
        description: "Without a slug, one is made from the name (and the parent's slug if the name's is taken).",
        body: Type.Object(
          {
            name: Name,
            slug: Type.Optional(Slug),
            parentId: Type.Optional(Type.Union([Id, Type.Null()])),
            description: Type.Optional(Description),
            position: Type.Optional(Position),
          },
          { additionalProperties: false },
        ),
        response: { 201: Category, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const created = await categories.createCategory(deps, request.body);
      return reply.code(201).header("location", `/api/catalog/categories/${created.id}`).send(created);
    },
  );

  app.patch(
    "/api/catalog/categories/:id",
    {
      onRequest: canWrite,
      schema: {
        ...bearerAuth,
        tags: ["categories"],
        summary: "Rename, re-slug, move (parentId; null for the root) or reorder a category (catalog:write)",
        params: Params,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            slug: Type.Optional(Slug),
            parentId: Type.Optional(Type.Union([Id, Type.Null()])),
            description: Type.Optional(Description),
            position: Type.Optional(Position),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Category, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => categories.updateCategory(deps, request.params.id, request.body),
  );

  app.delete(
    "/api/catalog/categories/:id",
    {
      onRequest: canWrite,
      schema: {
        ...bearerAuth,
        tags: ["categories"],
        summary: "Delete a category without sub-categories (catalog:write)",
        params: Params,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await categories.deleteCategory(deps, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
