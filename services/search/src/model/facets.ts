/** A category holding results, as the facet query counts it (its sub-categories' results included). */
export interface CountedCategory {
  id: string;
  parentId: string | null;
  name: string;
  position: number;
  count: number;
}

export interface CategoryFacetNode {
  id: string;
  name: string;
  count: number;
  children: CategoryFacetNode[];
}

/**
 * The counted categories as a tree: roots are those whose parent holds no result (the real roots, as
 * every ancestor of a result's category is counted too); siblings by position, then name.
 */
export function categoryTree(categories: readonly CountedCategory[]): CategoryFacetNode[] {
  const sorted = [...categories].sort((a, b) => a.position - b.position || a.name.localeCompare(b.name));
  const nodes = new Map(
    sorted.map((c) => [c.id, { id: c.id, name: c.name, count: c.count, children: [] as CategoryFacetNode[] }]),
  );
  const roots: CategoryFacetNode[] = [];
  for (const c of sorted) {
    const parent = c.parentId === null ? undefined : nodes.get(c.parentId);
    (parent ? parent.children : roots).push(nodes.get(c.id)!);
  }
  return roots;
}
