import { describe, expect, it } from "vitest";
import type { ChangedProduct } from "../db/products.repo";
import { type CategoryRow, type IndexQuery, ProductIndex } from "./product-index";

/*
 * The in-memory index alone, fed rows shaped as the change feed gives them. The lexemes stand in for
 * PostgreSQL's: every word of the name (A), the brand and the category names (B), the SKUs and
 * barcodes (C) and the description (D), lower-cased, unstemmed.
 */

interface Fixture {
  name: string;
  brand?: string | null;
  /** Category ids, root first. */
  path?: string[];
  description?: string | null;
  /** [sku, barcode, price] of each variant. */
  variants?: [string, string | null, number][];
  online?: boolean;
  locations?: string[];
  /** Minutes after a fixed instant. */
  created?: number;
  searchable?: boolean;
}

const CATEGORIES: CategoryRow[] = [
  { id: "mode", parent_id: null, name: "Mode", slug: "mode", position: 0, name_key: " mode " },
  { id: "shoes", parent_id: "mode", name: "Chaussures", slug: "chaussures", position: 0, name_key: " chaussures " },
  { id: "dresses", parent_id: "mode", name: "Robes", slug: "robes", position: 1, name_key: " robes " },
  { id: "home", parent_id: null, name: "Maison", slug: "maison", position: 1, name_key: " maison " },
];
const SHOES = ["mode", "shoes"];
const DRESSES = ["mode", "dresses"];
const HOME = ["home"];
const CATEGORY_NAME = new Map(CATEGORIES.map((c) => [c.id, c.name]));

const wordsOf = (text: string | null | undefined) => (text ?? "").toLowerCase().match(/[\p{L}\p{N}-]+/gu) ?? [];

let seq = 0;

/** A row of the feed for this product (searchable unless said otherwise). */
function row(id: string, f: Fixture): ChangedProduct {
  const variants = f.variants ?? [[`SKU-${id}`, null, 1_000]];
  const weights = new Map<string, Set<string>>();
  const add = (text: string | null | undefined, weight: string) => {
    for (const w of wordsOf(text)) {
      if (!weights.has(w)) weights.set(w, new Set());
      weights.get(w)!.add(weight);
    }
  };
  const path = f.path ?? SHOES;
  add(f.name, "A");
  add([f.brand, ...path.map((c) => CATEGORY_NAME.get(c))].join(" "), "B");
  add(variants.map(([sku, barcode]) => `${sku} ${barcode ?? ""}`).join(" "), "C");
  add(f.description, "D");
  const lexemes = [...weights].map(([w, ws]) => `${w}\u0001${[...ws].sort().join("")}`).join("\u0002");
  const prices = variants.map((v) => v[2]);
  const searchable = f.searchable ?? true;
  return {
    id,
    change_seq: String(++seq),
    change_xid: String(seq),
    searchable,
    name: f.name,
    slug: id,
    brand: f.brand ?? null,
    category_id: path.at(-1) ?? null,
    category_path: path,
    description: f.description ?? null,
    min_price: searchable ? String(Math.min(...prices)) : null,
    max_price: searchable ? String(Math.max(...prices)) : null,
    currency: "EUR",
    thumbnail_url: null,
    in_stock_online: f.online ?? false,
    stock_locations: f.locations ?? [],
    created_at: new Date(Date.UTC(2024, 0, 1) + (f.created ?? 0) * 60_000),
    name_key: ` ${wordsOf(f.name).join(" ")} `,
    lexemes: searchable ? lexemes : null,
    variants: searchable ? variants.map(([sku, barcode, price]) => [sku, barcode, String(price)]) : null,
  };
}

function indexOf(products: Record<string, Fixture>): ProductIndex {
  const index = new ProductIndex();
  index.setCategories(CATEGORIES);
  for (const [id, f] of Object.entries(products)) index.apply(row(id, f));
  return index;
}

/** Each word a group of one alternative, as typed. */
const typed = (...words: string[]): IndexQuery["groups"] => words.map((w) => [{ lexemes: [[w]], typed: true }]);

function query(q: Partial<IndexQuery> = {}): IndexQuery {
  return { groups: null, code: null, sort: "relevance", offset: 0, limit: 100, ...q };
}

const ids = (index: ProductIndex, q: Partial<IndexQuery> = {}) => index.search(query(q)).hits.map((h) => h.doc.id);
const facets = (index: ProductIndex, q: Partial<IndexQuery> = {}) => index.search(query(q)).facets;
/** Counts by price range, as PRICE_RANGES lists them: <10, 10–25, 25–50, 50–100, 100–250, 250–500, 500–1000, ≥1000 €. */
const ranges = (...counts: number[]) => [...counts, ...new Array<number>(8 - counts.length).fill(0)];

describe("ProductIndex", () => {
  describe("facets", () => {
    const catalog = () =>
      indexOf({
        a: { name: "Basket running", brand: "Nike", variants: [["A-1", null, 1_500]], online: true },
        b: { name: "Basket ville", brand: "Nike", variants: [["B-1", null, 6_000]] },
        c: { name: "Basket cuir", brand: "Adidas", variants: [["C-1", null, 2_000]], online: true },
        d: { name: "Robe longue", brand: "Veja", path: DRESSES, variants: [["D-1", null, 30_000]], online: true },
        e: { name: "Bougie", brand: null, path: HOME, variants: [["E-1", null, 500]], online: true },
      });

    it("count every result without a filter: categories as their paths, brands by count then name, prices by range", () => {
      expect(facets(catalog())).toEqual({
        total: 5,
        categories: [
          { id: "mode", parentId: null, name: "Mode", position: 0, count: 4 },
          { id: "shoes", parentId: "mode", name: "Chaussures", position: 0, count: 3 },
          { id: "dresses", parentId: "mode", name: "Robes", position: 1, count: 1 },
          { id: "home", parentId: null, name: "Maison", position: 1, count: 1 },
        ],
        brands: [
          { brand: "Nike", count: 2 },
          { brand: "Adidas", count: 1 },
          { brand: "Veja", count: 1 },
        ],
        prices: ranges(1, 2, 0, 1, 0, 1),
        online: 4,
        atLocation: 0,
      });
    });

    it("with a brand, still list the other brands with their counts; prices, categories and totals follow the brand", () => {
      const index = catalog();
      expect(ids(index, { brand: "nike", sort: "price_asc" })).toEqual(["a", "b"]);
      expect(facets(index, { brand: "NIKE" })).toEqual({
        total: 2,
        categories: [
          { id: "mode", parentId: null, name: "Mode", position: 0, count: 2 },
          { id: "shoes", parentId: "mode", name: "Chaussures", position: 0, count: 2 },
        ],
        brands: [
          { brand: "Nike", count: 2 },
          { brand: "Adidas", count: 1 },
          { brand: "Veja", count: 1 },
        ],
        prices: ranges(0, 1, 0, 1),
        online: 1,
        atLocation: 0,
      });
    });

    it("with a price range, still count the other ranges; brands, categories and totals follow the price", () => {
      const index = catalog();
      expect(ids(index, { minPrice: 1_000, maxPrice: 2_500, sort: "price_asc" })).toEqual(["a", "c"]);
      expect(facets(index, { minPrice: 1_000, maxPrice: 2_500 })).toEqual({
        total: 2,
        categories: [
          { id: "mode", parentId: null, name: "Mode", position: 0, count: 2 },
          { id: "shoes", parentId: "mode", name: "Chaussures", position: 0, count: 2 },
        ],
        brands: [
          { brand: "Adidas", count: 1 },
          { brand: "Nike", count: 1 },
        ],
        prices: ranges(1, 2, 0, 1, 0, 1),
        online: 2,
        atLocation: 0,
      });
    });

    it("with both, count brands within the price and prices within the brand", () => {
      const f = facets(catalog(), { brand: "Nike", minPrice: 1_000, maxPrice: 2_500 });
      expect(f.total).toBe(1);
      expect(f.brands).toEqual([
        { brand: "Adidas", count: 1 },
        { brand: "Nike", count: 1 },
      ]);
      expect(f.prices).toEqual(ranges(0, 1, 0, 1));
      expect(f.online).toBe(1);
    });

    it("narrow every facet to the category and to what is in stock", () => {
      const index = catalog();
      expect(facets(index, { category: "home" })).toMatchObject({
        total: 1,
        brands: [],
        prices: ranges(1),
        categories: [{ id: "home", count: 1 }],
      });
      const inStock = facets(index, { inStock: true, brand: "nike" });
      expect(inStock).toMatchObject({ total: 1, online: 1, prices: ranges(0, 1) });
      expect(inStock.brands).toEqual([
        { brand: "Adidas", count: 1 },
        { brand: "Nike", count: 1 },
        { brand: "Veja", count: 1 },
      ]);
    });

    it("count a brand written in two cases once, under one spelling", () => {
      const index = indexOf({
        a: { name: "Tente", brand: "Quechua" },
        b: { name: "Sac", brand: "QUECHUA" },
        c: { name: "Gourde", brand: "Decathlon" },
      });
      expect(facets(index).brands).toEqual([
        { brand: "QUECHUA", count: 2 },
        { brand: "Decathlon", count: 1 },
      ]);
      expect(ids(index, { brand: "quechua", sort: "price_asc" })).toEqual(["a", "b"]);
    });

    // The spelling shown is the first in code-point order the instance has ever seen, so it depends
    // on the instance's history: a long-running instance and a new one answer differently.
    it("shows a brand as the products that have it now spell it, as a new instance would", () => {
      const running = indexOf({ a: { name: "Tente", brand: "Quechua" }, b: { name: "Sac", brand: "QUECHUA" } });
      running.apply(row("b", { name: "Sac", brand: "Quechua" }));
      const fresh = indexOf({ a: { name: "Tente", brand: "Quechua" }, b: { name: "Sac", brand: "Quechua" } });
      expect(facets(fresh).brands).toEqual([{ brand: "Quechua", count: 2 }]);
      expect(facets(running).brands).toEqual(facets(fresh).brands);
    });
  });

  describe("changes", () => {
    it("makes a change that keeps the lexemes in place, and filters, sorts and facets see it", () => {
      const index = indexOf({
        a: { name: "Casque audio", variants: [["A-1", null, 1_000]] },
        b: { name: "Casque vélo", variants: [["B-1", null, 3_000]] },
      });
      const numbered = index["docs"].length;
      expect(ids(index, { sort: "price_asc" })).toEqual(["a", "b"]);
      index.apply(
        row("a", { name: "Casque audio", variants: [["A-1", null, 5_000]], online: true, locations: ["s2"] }),
      );
      expect(index["docs"].length).toBe(numbered);
      expect(index.size).toBe(2);
      expect(ids(index, { sort: "price_asc" })).toEqual(["b", "a"]);
      expect(ids(index, { minPrice: 4_000 })).toEqual(["a"]);
      expect(ids(index, { maxPrice: 2_000 })).toEqual([]);
      expect(ids(index, { inStock: true })).toEqual(["a"]);
      expect(ids(index, { inStock: true, locationId: "s2" })).toEqual(["a"]);
      expect(index.search(query({ groups: typed("casque"), locationId: "s2" })).facets).toMatchObject({
        total: 2,
        online: 1,
        atLocation: 1,
        prices: ranges(0, 0, 1, 1),
      });
      const [hit] = index.search(query({ groups: typed("audio") })).hits;
      expect(hit!.doc).toMatchObject({ id: "a", minPrice: 5_000, maxPrice: 5_000, inStockOnline: true });
    });

    it("after a rename, no longer finds the old words and finds the new ones, by search, suggestion and code", () => {
      const index = indexOf({
        a: { name: "Chaussure rouge", variants: [["CH-1", "111", 1_000]] },
        b: { name: "Chaussette", variants: [["CT-1", null, 500]] },
      });
      const version = index.version;
      index.apply(row("a", { name: "Sandale bleue", variants: [["SA-1", "222", 1_000]] }));
      expect(index.version).toBeGreaterThan(version);
      expect(index.size).toBe(2);
      expect(ids(index, { groups: typed("rouge") })).toEqual([]);
      expect(index.has([["rouge"]])).toBe(false);
      expect(ids(index, { groups: typed("sandale", "bleue") })).toEqual(["a"]);
      expect(index.has([["sandale"]])).toBe(true);
      expect(ids(index, { groups: typed("chaussure") })).toEqual([]);
      expect(ids(index, { groups: [], code: "CH-1" })).toEqual([]);
      expect(ids(index, { groups: [], code: "111" })).toEqual([]);
      expect(ids(index, { groups: [], code: "sa-1" })).toEqual(["a"]);
      expect(ids(index, { groups: [], code: "222" })).toEqual(["a"]);
      const products = (prefix: string) =>
        index
          .suggest([[prefix]], prefix, 8)
          .filter((s) => s.kind === "product")
          .map((s) => s.id);
      expect(products("chau")).toEqual(["b"]);
      expect(products("rou")).toEqual([]);
      expect(index.suggest([["sand"]], "sand", 8).map((s) => s.text)).toEqual(["Sandale bleue"]);
      expect(index.hasNameWordStartingWith("san")).toBe(true);
    });

    // The engine asks for a typed word's corrections only when no name has a word starting with it
    // (indexed-engine.ts, suggest): a word only a renamed product had must not hide them.
    it("no longer counts the words of a renamed product's old name as words of names", () => {
      const index = indexOf({ a: { name: "Chaussure rouge" }, b: { name: "Chaussette" } });
      index.apply(row("a", { name: "Sandale bleue" }));
      expect(index.hasNameWordStartingWith("chaussu")).toBe(false);
    });

    it("drops a product no longer searchable from search, facets, codes and suggestions", () => {
      const index = indexOf({
        a: { name: "Bouilloire inox", brand: "Moulinex", variants: [["BOU-1", "333", 3_000]] },
        b: { name: "Bouilloire verre", brand: "Bodum", variants: [["BOU-2", null, 4_000]] },
      });
      index.apply(row("a", { name: "Bouilloire inox", brand: "Moulinex", searchable: false }));
      expect(index.size).toBe(1);
      expect(ids(index, { groups: typed("bouilloire") })).toEqual(["b"]);
      expect(ids(index, { groups: typed("inox") })).toEqual([]);
      expect(ids(index, { groups: [], code: "BOU-1" })).toEqual([]);
      expect(ids(index, { groups: [], code: "333" })).toEqual([]);
      expect(index.suggest([["bou"]], "bou", 8).map((s) => s.id)).toEqual(["b"]);
      expect(facets(index)).toMatchObject({ total: 1, brands: [{ brand: "Bodum", count: 1 }] });
      // Removing what is not there changes nothing.
      index.apply(row("zz", { name: "Inconnu", searchable: false }));
      expect(index.size).toBe(1);
    });

    it("answers the same after compaction as before it, and as an index fed only the last state", () => {
      const names = ["Lampe de chevet", "Lampe de bureau", "Lampadaire", "Applique murale"];
      const final: Record<string, Fixture> = {};
      const index = new ProductIndex();
      index.setCategories(CATEGORIES);
      for (let round = 0; round < 12; round++) {
        for (let p = 0; p < 20; p++) {
          const id = `p${String(p).padStart(2, "0")}`;
          const f: Fixture = {
            name: `${names[(p + round) % names.length]} ${p % 3 === 0 ? "laiton" : "noir"}`,
            brand: p % 2 === 0 ? "Ikea" : "Habitat",
            path: p % 4 === 0 ? HOME : SHOES,
            variants: [[`L-${p}-${round % 3}`, null, 1_000 + ((p * 733 + round * 97) % 9_000)]],
            online: (p + round) % 3 === 0,
            created: p,
            searchable: !(p === 7 && round % 2 === 1),
          };
          index.apply(row(id, f));
          final[id] = f;
        }
      }
      const fresh = indexOf(final);
      const queries: Partial<IndexQuery>[] = [
        { sort: "newest" },
        { sort: "price_asc" },
        { groups: typed("lampe") },
        { groups: typed("lampe", "laiton") },
        {
          groups: [
            [
              { lexemes: [["applique"]], typed: true },
              { lexemes: [["lampadaire"]], typed: false },
            ],
          ],
        },
        { groups: typed("noir"), brand: "ikea", sort: "price_desc" },
        { groups: [], code: "l-5-2" },
        { groups: typed("lampe"), code: "L-3-2", offset: 1, limit: 3 },
      ];
      const answers = (ix: ProductIndex) =>
        queries.map((q) => {
          const { hits, facets: f } = ix.search(query(q));
          return { hits: hits.map((h) => [h.doc.id, h.doc.name, h.doc.minPrice, h.matchedCode]), facets: f };
        });
      const suggestions = (ix: ProductIndex) => [ix.suggest([["lam"]], "lam", 50), ix.suggest([["app"]], "app", 50)];
      const before = answers(index);
      expect(before).toEqual(answers(fresh));
      expect(before[2]!.hits.length).toBeGreaterThan(0);
      expect(suggestions(index)).toEqual(suggestions(fresh));
      expect(index.size).toBe(19);

      index.compact();
      expect(answers(index)).toEqual(before);
      expect(suggestions(index)).toEqual(suggestions(fresh));
      expect(index.size).toBe(19);
      const postings = [...index["postings"].values()].reduce((n, list) => n + list.length, 0);
      expect(postings).toBe([...fresh["postings"].values()].reduce((n, list) => n + list.length, 0));
    });
  });

  describe("versions", () => {
    it("changes the version with every change a search could see, and the names' version with names", () => {
      const index = indexOf({ a: { name: "Tapis de yoga", variants: [["T-1", null, 1_000]] } });
      const { version, namesVersion } = index;
      index.apply(row("a", { name: "Tapis de yoga", variants: [["T-1", null, 2_000]] }));
      expect(index.version).toBeGreaterThan(version);
      index.apply(row("a", { name: "Tapis de sol", variants: [["T-1", null, 2_000]] }));
      expect(index.namesVersion).toBeGreaterThan(namesVersion);
      const names = index.namesVersion;
      index.setCategories(CATEGORIES.map((c) => (c.id === "home" ? { ...c, name: "Intérieur" } : c)));
      expect(index.namesVersion).toBeGreaterThan(names);
    });

    // Suggestions are cached per namesVersion (indexed-engine.ts): a name whose words stay the same
    // (case, accents, punctuation) or a new slug is changed in place, and must still bump it.
    it("changes the names' version when a name's text or a slug changes but not its words", () => {
      const index = indexOf({ a: { name: "Tapis de yoga" } });
      const before = index.namesVersion;
      index.apply(row("a", { name: "TAPIS DE YOGA" }));
      expect(index.suggest([["tapis"]], "tapis", 8).map((s) => s.text)).toEqual(["TAPIS DE YOGA"]);
      expect(index.namesVersion).toBeGreaterThan(before);
    });
  });

  describe("codes", () => {
    const index = () =>
      indexOf({
        air: { name: "Nike Air", brand: "Nike", created: 10 },
        peg: {
          name: "Chaussure de course",
          brand: "Nike",
          variants: [
            ["NIKE-Peg-42", "3401234567890", 12_999],
            ["NIKE-Peg-43", "3401234567891", 12_999],
          ],
        },
      });

    it("finds a product by its SKU in any case, first, showing the SKU as stored", () => {
      const { hits } = index().search(query({ groups: typed("nike"), code: "nike-peg-43" }));
      expect(hits.map((h) => [h.doc.id, h.matchedCode])).toEqual([
        ["peg", "NIKE-Peg-43"],
        ["air", null],
      ]);
    });

    it("finds a product by its barcode, and nothing by an unknown code", () => {
      const ix = index();
      const { hits } = ix.search(query({ groups: [], code: "3401234567890" }));
      expect(hits.map((h) => [h.doc.id, h.matchedCode])).toEqual([["peg", "3401234567890"]]);
      expect(ids(ix, { groups: [], code: "NIKE-PEG-44" })).toEqual([]);
    });

    it("still applies the filters to a product found by its code", () => {
      expect(ids(index(), { groups: [], code: "NIKE-PEG-42", maxPrice: 5_000 })).toEqual([]);
    });
  });

  describe("text", () => {
    const index = () =>
      indexOf({
        silk: { name: "Robe en soie", path: DRESSES, created: 1 },
        cotton: { name: "Robe en coton", path: DRESSES, created: 2 },
        shirt: { name: "Chemise soie", path: DRESSES, created: 3 },
        scarf: { name: "Foulard", description: "Un foulard en soie sauvage", path: DRESSES, created: 4 },
      });

    it("needs every group and any alternative of a group", () => {
      const ix = index();
      expect(ids(ix, { groups: typed("robe", "soie") })).toEqual(["silk"]);
      expect(ids(ix, { groups: typed("robe", "lin") })).toEqual([]);
      const either: IndexQuery["groups"] = [
        [
          { lexemes: [["robe"]], typed: true },
          { lexemes: [["chemise"]], typed: true },
        ],
        [{ lexemes: [["soie"]], typed: true }],
      ];
      expect(ids(ix, { groups: either }).sort()).toEqual(["shirt", "silk"]);
      // An alternative of several lexemes needs them all.
      expect(ids(ix, { groups: [[{ lexemes: [["robe", "coton"]], typed: true }]] })).toEqual(["cotton"]);
      expect(ix.search(query({ groups: typed("soie") })).facets.total).toBe(3);
    });

    it("ranks a name match before a match in the description only, whatever their age", () => {
      expect(ids(index(), { groups: typed("foulard") })).toEqual(["scarf"]);
      const soie = ids(index(), { groups: typed("soie") });
      expect(soie.at(-1)).toBe("scarf");
      expect(soie.slice(0, 2)).toEqual(["shirt", "silk"]);
    });

    it("ranks a match of the words as typed before a match of their corrections only", () => {
      const ix = indexOf({
        typedInDescription: { name: "Tapis", description: "Un tapis pour le yoga", created: 1 },
        correctedInName: { name: "Yoda figurine", created: 2 },
      });
      const groups: IndexQuery["groups"] = [
        [
          { lexemes: [["yoga"]], typed: true },
          { lexemes: [["yoda"]], typed: false },
        ],
      ];
      expect(ids(ix, { groups })).toEqual(["typedInDescription", "correctedInName"]);
      // Without the typed word, the better weight wins.
      const corrections: IndexQuery["groups"] = [
        [
          { lexemes: [["yoga"]], typed: false },
          { lexemes: [["yoda"]], typed: false },
        ],
      ];
      expect(ids(ix, { groups: corrections })).toEqual(["correctedInName", "typedInDescription"]);
    });

    it("counts a product exact only when every group matched as typed", () => {
      const ix = indexOf({
        both: { name: "Lampe laiton", created: 1 },
        half: { name: "Lampe laitonnee", created: 2 },
      });
      const groups: IndexQuery["groups"] = [
        [{ lexemes: [["lampe"]], typed: true }],
        [
          { lexemes: [["laiton"]], typed: true },
          { lexemes: [["laitonnee"]], typed: false },
        ],
      ];
      // Both match every group by their names; "half", newer, only by a correction for the second word.
      expect(ids(ix, { groups })).toEqual(["both", "half"]);
    });
  });

  describe("sorts and pages", () => {
    const catalog: Record<string, Fixture> = {
      p1: { name: "Verre a", variants: [["V1", null, 3_000]], created: 5 },
      p2: { name: "Verre b", variants: [["V2", null, 1_000]], created: 5 },
      p3: { name: "Verre c", variants: [["V3", null, 3_000]], created: 1 },
      p4: { name: "Verre d", variants: [["V4", null, 2_000]], created: 9 },
      p5: { name: "Verre e", variants: [["V5", null, 1_000]], created: 5 },
      p6: {
        name: "Verre f",
        variants: [
          ["V6", null, 2_000],
          ["V6b", null, 900],
        ],
        created: 2,
      },
      p7: { name: "Verre g", variants: [["V7", null, 4_000]], created: 9 },
    };

    it("sorts by lowest price up and down and by newest, ties by id (up with the price, else down)", () => {
      const index = indexOf(catalog);
      expect(ids(index, { sort: "price_asc" })).toEqual(["p6", "p2", "p5", "p4", "p1", "p3", "p7"]);
      expect(ids(index, { sort: "price_desc" })).toEqual(["p7", "p3", "p1", "p4", "p5", "p2", "p6"]);
      expect(ids(index, { sort: "newest" })).toEqual(["p7", "p4", "p5", "p2", "p1", "p6", "p3"]);
      // Relevance without text: the newest first.
      expect(ids(index, { sort: "relevance" })).toEqual(["p7", "p4", "p5", "p2", "p1", "p6", "p3"]);
    });

    // The engine never asks for relevance without text (it sorts by newest then), but the index's own
    // contract does: here a text search's ranking keys are left over and read by the next search.
    it("sorts by relevance without text as by newest, whatever was searched before", () => {
      const index = indexOf(catalog);
      const newest = ids(index, { sort: "newest" });
      expect(ids(index, { sort: "relevance" })).toEqual(newest);
      expect(ids(index, { groups: typed("verre"), code: "V3" })[0]).toBe("p3");
      expect(ids(index, { sort: "relevance" })).toEqual(newest);
    });

    it("pages through every result once, in the order of one page, whatever the order applies were made in", () => {
      const forward = indexOf(catalog);
      const backward = indexOf(Object.fromEntries(Object.entries(catalog).reverse()));
      for (const sort of ["relevance", "price_asc", "price_desc", "newest"] as const) {
        for (const groups of [null, typed("verre")]) {
          const all = ids(forward, { sort, groups });
          expect(all).toHaveLength(7);
          expect(ids(backward, { sort, groups })).toEqual(all);
          for (const limit of [1, 2, 3]) {
            const paged: string[] = [];
            for (let offset = 0; offset < all.length + limit; offset += limit) {
              const page = ids(forward, { sort, groups, offset, limit });
              expect(page.length).toBeLessThanOrEqual(limit);
              paged.push(...page);
            }
            expect(paged).toEqual(all);
          }
          expect(forward.search(query({ sort, groups, offset: 5, limit: 10 })).facets.total).toBe(7);
        }
      }
    });
  });

  describe("suggest", () => {
    const index = () => {
      const ix = indexOf({
        long: { name: "Chaussure de running" },
        inside: { name: "Basket chaussure" },
        short: { name: "Chaussure" },
        sock: { name: "Chaussette" },
        other: { name: "Bottes" },
      });
      ix.setCategories([
        ...CATEGORIES,
        { id: "c1", parent_id: null, name: "Mes chaussures", slug: "mes", position: 5, name_key: " mes chaussures " },
        { id: "c2", parent_id: null, name: "Chaussettes", slug: "ch1", position: 6, name_key: " chaussettes " },
        { id: "c3", parent_id: null, name: "Chaussons", slug: "ch2", position: 7, name_key: " chaussons " },
      ]);
      return ix;
    };

    it("offers names starting with the phrase first, then the shortest; at most 3 categories, same order", () => {
      const shown = index().suggest([["chau"]], "chau", 8);
      expect(shown.map((s) => [s.kind, s.text])).toEqual([
        ["category", "Chaussons"],
        ["category", "Chaussures"],
        ["category", "Chaussettes"],
        ["product", "Chaussure"],
        ["product", "Chaussette"],
        ["product", "Chaussure de running"],
        ["product", "Basket chaussure"],
      ]);
      expect(shown[3]).toEqual({ kind: "product", id: "short", text: "Chaussure", slug: "short" });
    });

    it("keeps the best products within the limit, and needs every word at the start of a word", () => {
      const ix = index();
      expect(
        ix
          .suggest([["chau"]], "chau", 2)
          .filter((s) => s.kind === "product")
          .map((s) => s.text),
      ).toEqual(["Chaussure", "Chaussette"]);
      expect(ix.suggest([["chaussure"], ["ru"]], "chaussure ru", 8).map((s) => s.text)).toEqual([
        "Chaussure de running",
      ]);
      expect(ix.suggest([["haus"]], "haus", 8)).toEqual([]);
    });

    it("finds names by a word's corrections given as other prefixes", () => {
      const ix = index();
      expect(ix.suggest([["bota"]], "bota", 8)).toEqual([]);
      expect(ix.suggest([["bota", "bott"]], "bota", 8).map((s) => s.text)).toEqual(["Bottes"]);
    });
  });
});

describe("ProductIndex.affects (which kept answers a change makes stale)", () => {
  const NAMES = ["Basket running noir", "Basket ville blanc", "Robe noire longue", "Bougie parfumée", "Robe blanche"];
  const PATHS = [SHOES, DRESSES, HOME];
  const QUERIES: Partial<IndexQuery>[] = [
    {},
    { category: "shoes" },
    { category: "dresses", sort: "price_asc" },
    { category: "home", minPrice: 500, maxPrice: 2_000 },
    { groups: typed("basket") },
    { groups: typed("noir"), category: "mode" },
    { groups: typed("robe"), brand: "Veja", inStock: true },
    { groups: [], code: "SKU-P3" },
    { groups: typed("bougie"), code: "bougie", inStock: true, locationId: "store-2" },
  ];

  /** What an answer shows (its raw counts may be longer when a brand appeared meanwhile). */
  const shown = (r: ReturnType<ProductIndex["search"]>) => ({ hits: r.hits, facets: r.facets });

  /** A deterministic pseudo-random sequence. */
  function random(seed: number): () => number {
    let s = seed;
    return () => {
      s = (s * 1_664_525 + 1_013_904_223) >>> 0;
      return s / 2 ** 32;
    };
  }

  it("never keeps or brings up to date an answer unlike a fresh one (400 random changes, 9 searches)", () => {
    const rnd = random(7);
    const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
    const products: Record<string, Fixture> = {};
    for (let i = 0; i < 12; i++) {
      products[`p${i}`] = {
        name: `${pick(NAMES)} ${i}`,
        brand: pick(["Nike", "Veja", null]),
        path: pick(PATHS),
        variants: [[`SKU-P${i}`, null, 500 + Math.floor(rnd() * 50) * 100]],
        online: rnd() < 0.5,
        locations: rnd() < 0.5 ? ["store-2"] : [],
        created: i,
      };
    }
    const index = indexOf(products);
    const kept = QUERIES.map((q) => ({ q: query(q), version: index.version, answer: index.search(query(q)) }));
    let reused = 0;
    let refreshed = 0;
    for (let step = 0; step < 400; step++) {
      const id = `p${Math.floor(rnd() * 14)}`;
      const f: Fixture = products[id] ?? { name: `${pick(NAMES)} ${id}`, path: pick(PATHS), created: step };
      const change = rnd();
      if (change < 0.4) f.variants = [[`SKU-${id.toUpperCase()}`, null, 500 + Math.floor(rnd() * 50) * 100]];
      else if (change < 0.6) f.online = !f.online;
      else if (change < 0.7) f.locations = f.locations?.length ? [] : ["store-2"];
      else if (change < 0.8) f.name = `${pick(NAMES)} ${id}`;
      else if (change < 0.9) f.searchable = f.searchable === false;
      else f.brand = pick(["Nike", "NIKE", "Veja", null]);
      products[id] = f;
      index.apply(row(id, f));
      for (const k of kept) {
        const now = index.search(k.q);
        if (!index.affects(k.q, k.version)) {
          reused++;
          expect(shown(now), `step ${step}, ${JSON.stringify(k.q)}`).toEqual(shown(k.answer));
        } else {
          const patched = index.refresh(k.q, k.version, k.answer);
          if (patched !== null) {
            refreshed++;
            expect(shown(patched), `step ${step}, refreshed ${JSON.stringify(k.q)}`).toEqual(shown(now));
          }
        }
        k.version = index.version;
        k.answer = now;
      }
    }
    // The test means something only if some answers were kept, and some brought up to date, across changes.
    expect(reused).toBeGreaterThan(400);
    expect(refreshed).toBeGreaterThan(100);
  });

  it("calls a category's answers stale after a change in it, not after a change elsewhere", () => {
    const index = indexOf({
      a: { name: "Basket", path: SHOES, variants: [["A", null, 1_000]] },
      h: { name: "Bougie", path: HOME, variants: [["H", null, 1_000]] },
    });
    const since = index.version;
    index.apply(row("h", { name: "Bougie", path: HOME, variants: [["H", null, 2_000]] }));
    expect(index.affects(query({ category: "shoes" }), since)).toBe(false);
    expect(index.affects(query({ category: "home" }), since)).toBe(true);
    expect(index.affects(query({}), since)).toBe(true);
    expect(index.affects(query({ groups: typed("basket") }), since)).toBe(false);
    expect(index.affects(query({ groups: typed("bougie") }), since)).toBe(true);
  });

  it("calls every answer stale after the categories change", () => {
    const index = indexOf({ a: { name: "Basket", path: SHOES } });
    const since = index.version;
    index.setCategories([...CATEGORIES, { ...CATEGORIES[3]!, name: "Maison & déco" }]);
    expect(index.affects(query({ category: "shoes", groups: typed("basket") }), since)).toBe(true);
  });
});
