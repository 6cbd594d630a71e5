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
  withTx,
} from "@comptoir/platform";
import * as repo from "../db/categories.repo";
import { categoryHasProducts } from "../db/products.repo";
import { freeSlug } from "./slugs";
import {
  buildTree,
  type Category,
  type CategoryDetail,
  type CategoryNode,
  snapshotOf,
  wouldCreateCycle,
} from "../model/category";

export interface CategoriesDeps {
  db: Db;
  /** Every change publishes its event in the change's own transaction. */
  outbox: Outbox;
}

export interface CreateCategoryInput {
  name: string;
  slug?: string;
  parentId?: string | null;
  description?: string | null;
  position?: number;
}

export type UpdateCategoryInput = Partial<CreateCategoryInput>;

const notFound = (id: string) => new NotFoundError("category_not_found", `No category with id ${id}.`);
const parentNotFound = (id: string) =>
  new InvalidError("category_parent_not_found", `The parent category ${id} does not exist.`, {
    errors: [{ in: "body", field: "parentId", message: "no category with this id" }],
  });
const slugTaken = (slug: string) =>
  new ConflictError("category_slug_taken", `Another category already uses the slug "${slug}".`, {
    errors: [{ in: "body", field: "slug", message: "is already used by another category" }],
  });

export async function getCategoryTree(deps: CategoriesDeps): Promise<CategoryNode[]> {
  return buildTree(await repo.listCategories(deps.db));
}

export async function getCategory(deps: CategoriesDeps, id: string): Promise<CategoryDetail> {
  const category = await repo.findCategory(deps.db, id);
  if (!category) throw notFound(id);
  const [ancestors, children] = await Promise.all([repo.listAncestors(deps.db, id), repo.listChildren(deps.db, id)]);
  return {
    ...category,
    ancestors: ancestors.reverse().map(({ id, name, slug }) => ({ id, name, slug })),
    children,
  };
}

export async function createCategory(deps: CategoriesDeps, input: CreateCategoryInput): Promise<Category> {
  const name = input.name.trim();
  return withTx(deps.db, async (tx) => {
    // Locked: a product being added to the parent at the same moment (which shares this lock) waits, or we do.
    const parent = input.parentId ? await repo.findCategoryForUpdate(tx, input.parentId) : undefined;
    if (input.parentId && !parent) throw parentNotFound(input.parentId);
    if (parent && (await categoryHasProducts(tx, parent.id))) throw parentHasProducts(parent.id);
    const slug =
      input.slug ??
      (await freeSlug({
        entity: "category",
        name,
        parentSlug: parent?.slug,
        taken: (candidates) => repo.slugsTaken(tx, candidates),
        allTaken: slugTaken,
      }));
    let created: Category;
    try {
      created = await repo.insertCategory(tx, {
        id: newId(),
        parentId: input.parentId ?? null,
        name,
        slug,
        description: input.description ?? null,
        position: input.position ?? 0,
      });
    } catch (error) {
      throw translateWriteError(error, slug, input.parentId ?? undefined);
    }
    await deps.outbox.publish(tx, { type: "catalog.category.created", subject: created.id, data: snapshotOf(created) });
    return created;
  });
}

export async function updateCategory(deps: CategoriesDeps, id: string, input: UpdateCategoryInput): Promise<Category> {
  return withTx(deps.db, async (tx) => {
    const moving = input.parentId !== undefined;
    if (moving) await repo.lockTreeShape(tx);
    const current = await repo.findCategoryForUpdate(tx, id);
    if (!current) throw notFound(id);

    // Only what differs from the current state: an update that changes nothing writes nothing.
    const changes: repo.CategoryChanges = {};
    const name = input.name?.trim();
    if (name !== undefined && name !== current.name) changes.name = name;
    if (input.slug !== undefined && input.slug !== current.slug) changes.slug = input.slug;
    if (input.description !== undefined && input.description !== current.description) {
      changes.description = input.description;
    }
    if (input.position !== undefined && input.position !== current.position) changes.position = input.position;
    if (moving && input.parentId !== current.parentId) {
      const parentId = input.parentId ?? null;
      if (parentId) {
        if (!(await repo.findCategoryForUpdate(tx, parentId))) throw parentNotFound(parentId);
        if (await categoryHasProducts(tx, parentId)) throw parentHasProducts(parentId);
        const ancestors = await repo.listAncestors(tx, parentId);
        if (
          wouldCreateCycle(
            id,
            parentId,
            ancestors.map((a) => a.id),
          )
        ) {
          throw new ConflictError(
            "category_cycle",
            "A category cannot be moved under itself or one of its own descendants.",
            { errors: [{ in: "body", field: "parentId", message: "is this category or one of its descendants" }] },
          );
        }
      }
      changes.parentId = parentId;
    }
    if (Object.keys(changes).length === 0) return current;
    let updated: Category;
    try {
      updated = await repo.updateCategory(tx, id, changes);
    } catch (error) {
      throw translateWriteError(error, changes.slug ?? current.slug, changes.parentId ?? undefined);
    }
    await deps.outbox.publish(tx, { type: "catalog.category.updated", subject: id, data: snapshotOf(updated) });
    return updated;
  });
}

export async function deleteCategory(deps: CategoriesDeps, id: string): Promise<void> {
  try {
    await withTx(deps.db, async (tx) => {
      const current = await repo.findCategoryForUpdate(tx, id);
      if (!current) throw notFound(id);
      if ((await repo.listChildren(tx, id)).length > 0) throw hasChildren();
      if (await categoryHasProducts(tx, id)) throw hasProducts();
      await repo.deleteCategory(tx, id);
      await deps.outbox.publish(tx, { type: "catalog.category.deleted", subject: id, data: { id } });
    });
  } catch (error) {
    // A child (or a product) inserted concurrently, after our check, is caught by the foreign key.
    if (pgErrorCode(error) === PgCode.foreignKeyViolation) {
      throw pgConstraint(error) === "products_category_id_fkey" ? hasProducts() : hasChildren();
    }
    throw error;
  }
}

const hasProducts = () =>
  new ConflictError(
    "category_has_products",
    "This category holds products (archived ones included); move them to another category first.",
  );

/** Products sit in leaf categories only: a category holding products cannot get sub-categories. */
const parentHasProducts = (id: string) =>
  new ConflictError(
    "category_has_products",
    `The category ${id} holds products; products go in leaf categories only, so it cannot get sub-categories.`,
    { errors: [{ in: "body", field: "parentId", message: "holds products" }] },
  );

const hasChildren = () =>
  new ConflictError(
    "category_has_children",
    "This category has sub-categories; move or delete them before deleting it.",
  );

function translateWriteError(error: unknown, slug: string, parentId: string | undefined): unknown {
  const code = pgErrorCode(error);
  if (code === PgCode.uniqueViolation && pgConstraint(error) === "categories_slug_key") return slugTaken(slug);
  if (code === PgCode.foreignKeyViolation && parentId) return parentNotFound(parentId);
  return error;
}
