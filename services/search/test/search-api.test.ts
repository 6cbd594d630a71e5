import { expectProblem } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CATEGORIES, loadCatalog, type LoadedCatalog, PRODUCTS, productOf } from "./support/catalog-fixture";
import { type SearchHarness, startSearch } from "./support/harness";

/**
 * GET /api/search/products and /api/search/suggest over the fixed catalog: facets, filters, sorts,
 * pagination, highlights, type-ahead, and bad input (400 problems; no character of `q` is syntax).
 */
interface Hit {
  slug: string;
  name: string;
  minPrice: number;
  createdAt: string;
  id: string;
  highlight?: { name: string; description: string | null };
}

const ACTIVE = PRODUCTS.filter((p) => (p.status ?? "active") === "active");

describe("product search and suggestions", () => {
  let h: SearchHarness;
  let catalog: LoadedCatalog;

  beforeAll(async () => {
    h = await startSearch("search_api");
    catalog = await loadCatalog(h);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  const get = (path: string) => h.search.anonymous.get(path);
  const find = async (query: string) => {
    const res = await get(`/api/search/products?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { data: Hit[]; facets: any; pagination: { page: number; limit: number; total: number } };
  };

  describe("facets and filters", () => {
    it("counts categories as a tree whose counts include the sub-categories", async () => {
      const { facets, pagination } = await find("limit=1");
      expect(pagination.total).toBe(ACTIVE.length);
      const mode = facets.categories.find((c: { name: string }) => c.name === "Mode");
      const inMode = ACTIVE.filter((p) => ["chaussures", "t-shirts", "robes", "pulls"].includes(p.category)).length;
      expect(mode.count).toBe(inMode);
      const vetements = mode.children.find((c: { name: string }) => c.name === "Vêtements");
      expect(vetements.count).toBe(ACTIVE.filter((p) => ["t-shirts", "robes", "pulls"].includes(p.category)).length);
      expect(vetements.children.map((c: { name: string; count: number }) => [c.name, c.count])).toEqual([
        ["T-shirts", 2],
        ["Robes", 2],
        ["Pulls", 1],
      ]);
      expect(facets.categories.map((c: { name: string }) => c.name)).toEqual(["Mode", "High-Tech", "Maison", "Sport"]);
    });

    it("narrows to a category and everything under it", async () => {
      const body = await find(`category=${catalog.categoryIds["high-tech"]}&limit=50`);
      const expected = ACTIVE.filter((p) => CATEGORIES[p.category]!.parent === "high-tech").map((p) => p.slug);
      expect(body.data.map((d) => d.slug).sort()).toEqual(expected.sort());
      expect(body.facets.categories).toHaveLength(1);
    });

    it("counts and filters brands, price ranges and stock online or at a store", async () => {
      const body = await find(`q=casque&locationId=${catalog.store2}`);
      expect(body.data.map((d) => d.slug).sort()).toEqual(["casque-audio-sans-fil", "casque-velo"]);
      expect(body.facets.brands).toEqual([
        { brand: "Btwin", count: 1 },
        { brand: "Sony", count: 1 },
      ]);
      expect(body.facets.priceRanges.filter((r: { count: number }) => r.count > 0)).toEqual([
        { min: 2_500, max: 5_000, count: 1 },
        { min: 25_000, max: 50_000, count: 1 },
      ]);
      expect(body.facets.inStockOnline).toBe(2);
      expect(body.facets.inStockAtLocation).toBe(1);
      expect((await find(`q=casque&inStock=true&locationId=${catalog.store2}`)).data.map((d) => d.slug)).toEqual([
        "casque-audio-sans-fil",
      ]);
      expect((await find("q=casque&brand=btwin")).data.map((d) => d.slug)).toEqual(["casque-velo"]);
      expect((await find("q=casque&maxPrice=5000")).data.map((d) => d.slug)).toEqual(["casque-velo"]);
    });

    it("leaves out of the in-stock filter what has no stock online", async () => {
      const body = await find("inStock=true&limit=50");
      const expected = ACTIVE.filter((p) => (p.online ?? 0) > 0).map((p) => p.slug);
      expect(body.data.map((d) => d.slug).sort()).toEqual(expected.sort());
      expect(body.pagination.total).toBe(expected.length);
    });
  });

  describe("sorts and pages", () => {
    it("sorts by price both ways and by newest, each a total order", async () => {
      const asc = (await find("sort=price_asc&limit=50")).data;
      expect(asc.map((d) => d.minPrice)).toEqual([...asc.map((d) => d.minPrice)].sort((a, b) => a - b));
      const desc = (await find("sort=price_desc&limit=50")).data;
      expect(desc.map((d) => d.minPrice)).toEqual([...desc.map((d) => d.minPrice)].sort((a, b) => b - a));
      const newest = (await find("sort=newest&limit=50")).data;
      expect(newest[0]!.slug).toBe(ACTIVE.at(-1)!.slug);
      expect(newest.map((d) => d.createdAt)).toEqual([...newest.map((d) => d.createdAt)].sort().reverse());
    });

    it("pages through every result once, in the same order as one page", async () => {
      for (const sort of ["relevance", "price_asc", "price_desc", "newest"]) {
        const all = (await find(`q=chaussure&sort=${sort}&limit=50`)).data.map((d) => d.id);
        const paged: string[] = [];
        for (let page = 1; page <= Math.ceil(all.length / 2); page++) {
          paged.push(...(await find(`q=chaussure&sort=${sort}&limit=2&page=${page}`)).data.map((d) => d.id));
        }
        expect(paged).toEqual(all);
        expect(new Set(paged).size).toBe(all.length);
      }
    });
  });

  describe("highlights", () => {
    it("marks the matched words and escapes the rest as HTML", async () => {
      const p = productOf(
        {
          slug: "verre-grave",
          name: `Verre <b>"gravé"</b> & co`,
          brand: null,
          category: "cuisine",
          description: "Un verre gravé à la main.",
          variants: [{ sku: "VERRE-1", price: 900 }],
        },
        catalog.categoryIds.cuisine!,
      );
      await h.publish("catalog.product.created", p, p.id);
      await h.settle();
      const [hit] = (await find("q=grave")).data;
      expect(hit!.highlight).toEqual({
        name: "Verre &lt;b&gt;&quot;<mark>gravé</mark>&quot;&lt;/b&gt; &amp; co",
        description: "Un verre <mark>gravé</mark> à la main.",
      });
    });
  });

  describe("suggestions", () => {
    const suggest = async (q: string) => {
      const res = await get(`/api/search/suggest?q=${encodeURIComponent(q)}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.data as { kind: string; text: string }[];
    };

    it("offers categories and product names from the first two letters, accents ignored, names starting so first", async () => {
      const shown = await suggest("te");
      expect(shown.filter((s) => s.kind === "category").map((s) => s.text)).toEqual([
        "Téléphones",
        "Télévisions",
        "High-Tech",
      ]);
      expect(shown.filter((s) => s.kind === "product").map((s) => s.text)).toContain("Téléviseur OLED 55 pouces");
      expect((await suggest("cha")).map((s) => s.text)).toEqual(["Chaussures", "Chaussure de running Pegasus"]);
    });

    it("lets a shared cache keep an anonymous list a second, never a product search", async () => {
      const listed = await get("/api/search/suggest?q=cha");
      expect(listed.headers.get("cache-control")).toBe("public, max-age=0, s-maxage=1");
      const found = await get("/api/search/products?q=chaussure");
      expect(found.headers.get("cache-control")).toBeNull();
    });

    it("matches each word typed at the start of a word, the last one as a prefix", async () => {
      expect((await suggest("casque v")).map((s) => s.text)).toEqual(["Casque de vélo"]);
      expect((await suggest("sans f")).map((s) => s.text)).toEqual(["Casque audio sans fil"]);
    });

    it("offers nothing for one letter and never what is not active", async () => {
      expect(await suggest("c")).toEqual([]);
      expect(await suggest("prototype")).toEqual([]);
      expect(await suggest("clapet")).toEqual([]);
    });
  });

  describe("bad input", () => {
    it("refuses a q over 200 characters, an unknown sort, a reversed price range, a page past the cap", async () => {
      expect((await get(`/api/search/products?q=${"a".repeat(200)}`)).status).toBe(200);
      expectProblem(await get(`/api/search/products?q=${"a".repeat(201)}`), 400, "validation_failed");
      expectProblem(await get(`/api/search/suggest?q=${"a".repeat(201)}`), 400, "validation_failed");
      expectProblem(await get("/api/search/suggest"), 400, "validation_failed");
      expectProblem(await get("/api/search/products?sort=popularity"), 400, "validation_failed");
      expectProblem(await get("/api/search/products?minPrice=5000&maxPrice=1000"), 400, "invalid_price_range");
      expect((await get("/api/search/products?minPrice=1000&maxPrice=1000")).status).toBe(200);
      expectProblem(await get("/api/search/products?page=21&limit=50"), 400, "page_beyond_cap");
      expect((await get("/api/search/products?page=20&limit=50")).status).toBe(200);
      expectProblem(await get("/api/search/products?limit=51"), 400, "validation_failed");
      expectProblem(await get("/api/search/products?page=0"), 400, "validation_failed");
      expectProblem(await get("/api/search/products?minPrice=-1"), 400, "validation_failed");
      expectProblem(await get("/api/search/products?category=not-a-uuid"), 400, "validation_failed");
      expectProblem(await get("/api/search/products?locationId=1"), 400, "validation_failed");
    });

    const SPECIAL = [..."&|!():*%_\\'\"<>-+~^$#@[]{}=?;,./`", "\u0000", "\t", "\n"];
    const QUERIES = [
      ...SPECIAL,
      ...SPECIAL.map((c) => `robe${c}soie`),
      ...SPECIAL.map((c) => `${c}chaussure${c}`),
      "chaussure:*",
      "!robe",
      "robe & !soie",
      "robe | soie",
      "(robe",
      "robe)",
      "'robe'",
      "''",
      "\\'",
      "%_%",
      "robe <-> soie",
      "robe <2> soie",
      "a:*B & c:A",
      "' OR 1=1 --",
      "🙂 chaussure",
      "ß æ œ",
      "   ",
    ];

    it("answers every special character and tsquery operator as text, never as syntax", async () => {
      for (const q of QUERIES) {
        for (const path of ["/api/search/products?q=", "/api/search/suggest?q="]) {
          const res = await get(`${path}${encodeURIComponent(q)}`);
          expect(res.status, `${path}${JSON.stringify(q)}: ${JSON.stringify(res.body)}`).toBe(200);
        }
      }
    });

    it("finds the words around the operators and nothing for punctuation alone", async () => {
      expect((await find(`q=${encodeURIComponent("robe & !soie")}`)).data[0]!.slug).toBe("robe-soiree-soie");
      expect((await find(`q=${encodeURIComponent("chaussure:*")}`)).data[0]!.slug).toBe("chaussure-running-pegasus");
      expect((await find(`q=${encodeURIComponent("&|!():*")}`)).data).toEqual([]);
      expect((await find(`q=${encodeURIComponent("%")}`)).data).toEqual([]);
    });
  });
});
