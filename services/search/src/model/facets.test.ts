import { describe, expect, it } from "vitest";
import { categoryTree } from "./facets";

describe("the category facet", () => {
  it("nests counted categories under their parents, siblings by position then name", () => {
    const tree = categoryTree([
      { id: "robes", parentId: "vetements", name: "Robes", position: 2, count: 2 },
      { id: "mode", parentId: null, name: "Mode", position: 0, count: 5 },
      { id: "tshirts", parentId: "vetements", name: "T-shirts", position: 1, count: 1 },
      { id: "vetements", parentId: "mode", name: "Vêtements", position: 0, count: 3 },
      { id: "chaussures", parentId: "mode", name: "Chaussures", position: 0, count: 2 },
      { id: "maison", parentId: null, name: "Maison", position: 1, count: 1 },
    ]);
    expect(tree).toEqual([
      {
        id: "mode",
        name: "Mode",
        count: 5,
        children: [
          { id: "chaussures", name: "Chaussures", count: 2, children: [] },
          {
            id: "vetements",
            name: "Vêtements",
            count: 3,
            children: [
              { id: "tshirts", name: "T-shirts", count: 1, children: [] },
              { id: "robes", name: "Robes", count: 2, children: [] },
            ],
          },
        ],
      },
      { id: "maison", name: "Maison", count: 1, children: [] },
    ]);
  });

  it("makes a category whose parent holds nothing a root", () => {
    expect(categoryTree([{ id: "a", parentId: "unknown", name: "A", position: 0, count: 1 }])).toEqual([
      { id: "a", name: "A", count: 1, children: [] },
    ]);
  });
});
