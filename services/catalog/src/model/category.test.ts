import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildTree, type Category, slugCandidates, slugify, wouldCreateCycle } from "./category";

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

describe("slugify", () => {
  it("removes accents, punctuation and case", () => {
    expect(slugify("Vêtements d'été")).toBe("vetements-d-ete");
    expect(slugify("  Œufs & Crème brûlée ")).toBe("oeufs-creme-brulee");
    expect(slugify("Straße")).toBe("strasse");
    expect(slugify("★★★")).toBe("");
  });

  it("always yields a valid slug or nothing, for any text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const slug = slugify(text);
        expect(slug === "" || (SLUG.test(slug) && slug.length <= 120)).toBe(true);
      }),
    );
  });
});

describe("slugCandidates", () => {
  it("tries the name, then the parent-qualified name, then numbers", () => {
    expect(slugCandidates("Accessoires", "homme", 4)).toEqual([
      "accessoires",
      "homme-accessoires",
      "homme-accessoires-2",
      "homme-accessoires-3",
    ]);
    expect(slugCandidates("Mode", undefined, 3)).toEqual(["mode", "mode-2", "mode-3"]);
  });
});

describe("buildTree", () => {
  const category = (id: string, parentId: string | null, name: string, position = 0): Category => ({
    id,
    parentId,
    name,
    slug: id,
    description: null,
    position,
    createdAt: "",
    updatedAt: "",
  });

  it("nests children under parents and orders siblings by position then name", () => {
    const tree = buildTree([
      category("b", null, "B", 1),
      category("a", null, "A", 1),
      category("c", "a", "C"),
      category("z", null, "Z", 0),
    ]);
    expect(tree.map((n) => n.id)).toEqual(["z", "a", "b"]);
    expect(tree[1]!.children.map((n) => n.id)).toEqual(["c"]);
  });
});

describe("wouldCreateCycle", () => {
  it("is true for itself and for any descendant", () => {
    expect(wouldCreateCycle("a", "a", [])).toBe(true);
    expect(wouldCreateCycle("a", "c", ["b", "a"])).toBe(true);
    expect(wouldCreateCycle("a", "x", ["y"])).toBe(false);
  });
});
