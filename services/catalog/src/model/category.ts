import type { EventData } from "@comptoir/contracts";
import { Id, type Static, Type } from "@comptoir/platform";

const CategoryFields = {
  id: Id,
  parentId: Type.Union([Id, Type.Null()]),
  name: Type.String(),
  slug: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  position: Type.Integer(),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
};

/** A category of the catalog tree, as the API shows it. */
export const Category = Type.Object(CategoryFields);
export type Category = Static<typeof Category>;

/** A category with its sub-tree (the tree's schema; `CategoryNode` below is its type). */
export const CategoryNode = Type.Cyclic(
  {
    CategoryNode: Type.Object({ ...CategoryFields, children: Type.Array(Type.Ref("CategoryNode")) }),
  },
  "CategoryNode",
);

/** A category with its breadcrumb and its children. */
export const CategoryDetail = Type.Object({
  ...CategoryFields,
  ancestors: Type.Array(Type.Object({ id: Id, name: Type.String(), slug: Type.String() }), {
    description: "from the root down to the parent",
  }),
  children: Type.Array(Category),
});
export type CategoryDetail = Static<typeof CategoryDetail>;

/** What `catalog.category.created|updated` carry: the category's whole new state. */
export type CategorySnapshot = EventData<"catalog.category.created">;

export function snapshotOf({ id, parentId, name, slug, description, position }: Category): CategorySnapshot {
  return { id, parentId, name, slug, description, position };
}

export interface CategoryNode extends Category {
  children: CategoryNode[];
}

export const SLUG_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$";
export const MAX_SLUG_LENGTH = 120;

/** "Chaussures d'été & sandales" → "chaussures-d-ete-sandales": lower case, no accents, dashes. */
export function slugify(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/ß/g, "ss")
    .replace(/[œŒ]/g, "oe")
    .replace(/[æÆ]/g, "ae")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/-+$/g, "");
}

/**
 * Slugs to try, in order, when the client gave none: the name's, then prefixed with the parent's
 * slug ("accessoires" under "femme" → "femme-accessoires"), then numbered.
 */
export function slugCandidates(name: string, parentSlug: string | undefined, count = 20): string[] {
  const own = slugify(name);
  if (!own) return [];
  const candidates = [own];
  const qualified = parentSlug ? slugify(`${parentSlug}-${own}`) : undefined;
  if (qualified && qualified !== own) candidates.push(qualified);
  const base = qualified ?? own;
  for (let n = 2; candidates.length < count; n++) candidates.push(`${base.slice(0, MAX_SLUG_LENGTH - 4)}-${n}`);
  return candidates;
}

/** Builds the forest from a flat list; siblings ordered by position, then name. */
export function buildTree(categories: Category[]): CategoryNode[] {
  const nodes = new Map<string, CategoryNode>(categories.map((c) => [c.id, { ...c, children: [] }]));
  const roots: CategoryNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId ? nodes.get(node.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const order = (list: CategoryNode[]) => {
    list.sort((a, b) => a.position - b.position || a.name.localeCompare(b.name, "fr"));
    for (const n of list) order(n.children);
  };
  order(roots);
  return roots;
}

/**
 * Moving `id` under `newParentId` is legal unless the new parent is the category itself or one of
 * its descendants — `ancestorsOfNewParent` lists the new parent's ancestors, nearest first.
 */
export function wouldCreateCycle(id: string, newParentId: string, ancestorsOfNewParent: string[]): boolean {
  return newParentId === id || ancestorsOfNewParent.includes(id);
}
