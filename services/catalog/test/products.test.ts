import { MAX_UNIT_PRICE } from "@comptoir/contracts";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  count,
  expectDocumentsFresh,
  expectProblem,
  type Harness,
  outboxRows,
  resetCatalog,
  startCatalog,
} from "./harness";

let h: Harness;
beforeAll(async () => {
  h = await startCatalog("products");
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await resetCatalog(h);
});
afterEach(async () => {
  await expectDocumentsFresh(h);
});

const UNKNOWN = "01900000-0000-7000-8000-000000000000";

async function category(name: string, parentId?: string): Promise<string> {
  const res = await h.api.post("/api/catalog/categories", { name, ...(parentId ? { parentId } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

let skuCounter = 0;
const sku = () => `SKU-${++skuCounter}`;

/** A valid GS1 code: `body` and its check digit (weights 3, 1, 3... from the right). */
function gs1(body: string): string {
  const sum = [...body].reverse().reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 3 : 1), 0);
  return body + ((10 - (sum % 10)) % 10);
}
/** The EAN-13 of `n`, under the French GS1 prefix 376. */
const ean13 = (n: number) => gs1(`376${String(n).padStart(9, "0")}`);
/** An in-store EAN-13: "2", 11 digits, a valid check digit. */
const IN_STORE = /^2\d{12}$/;
const validEan13 = (code: string) => [...code].reduce((s, d, i) => s + Number(d) * (i % 2 === 0 ? 1 : 3), 0) % 10 === 0;

function productBody(categoryId: string, overrides: Record<string, unknown> = {}) {
  return {
    categoryId,
    name: "T-shirt col rond",
    brand: "Les Tisserands",
    attributes: { matière: "coton bio" },
    status: "active",
    variants: [
      { sku: sku(), options: { taille: "S" }, price: 1990 },
      { sku: sku(), options: { taille: "M" }, price: 1990, compareAtPrice: 2490, barcode: ean13(1e8 + skuCounter) },
    ],
    ...overrides,
  };
}

async function product(categoryId: string, overrides: Record<string, unknown> = {}) {
  const res = await h.api.post("/api/catalog/products", productBody(categoryId, overrides));
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe("who may change products", () => {
  it("writes need catalog:write: 401 without a token, 403 for a clerk; reads are public", async () => {
    const leaf = await category("Robes");
    const p = await product(leaf);
    const clerk = await h.as({ role: "clerk" });
    const variantId = p.variants[0].id;
    const writes: [string, string, unknown][] = [
      ["post", "/api/catalog/products", productBody(leaf)],
      ["patch", `/api/catalog/products/${p.id}`, { name: "x" }],
      ["post", `/api/catalog/products/${p.id}/archive`, undefined],
      ["post", `/api/catalog/products/${p.id}/variants`, { sku: "NEW-1", price: 100 }],
      ["patch", `/api/catalog/variants/${variantId}`, { barcode: "123" }],
      ["put", `/api/catalog/variants/${variantId}/price`, { price: 100 }],
    ];
    for (const [method, path, body] of writes) {
      expectProblem(await (h.anonymous as any)[method](path, body), 401, "unauthorized");
      expectProblem(await (clerk as any)[method](path, body), 403, "forbidden");
    }
    expectProblem(await clerk.get(`/api/catalog/variants/${variantId}/price-history`), 403, "forbidden");
    expectProblem(await clerk.delete(`/api/catalog/products/${p.id}/images/${UNKNOWN}`), 403, "forbidden");
    expect((await h.anonymous.get(`/api/catalog/products/${p.id}`)).status).toBe(200);
    expect((await h.anonymous.get("/api/catalog/products")).status).toBe(200);
    expect(await count(h, "products")).toBe(1);
  });
});

describe("creating a product with its variants", () => {
  it("creates the product and its variants (201, Location), prices in cents, EUR", async () => {
    const leaf = await category("Hauts");
    const res = await h.api.post("/api/catalog/products", productBody(leaf, { name: "Marinière été" }));
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe(`/api/catalog/products/${res.body.id}`);
    expect(res.body).toMatchObject({
      categoryId: leaf,
      name: "Marinière été",
      slug: "mariniere-ete",
      status: "active",
      brand: "Les Tisserands",
      attributes: { matière: "coton bio" },
      description: null,
      images: [],
    });
    expect(res.body.variants).toEqual([
      expect.objectContaining({
        options: { taille: "S" },
        price: 1990,
        compareAtPrice: null,
        currency: "EUR",
        position: 0,
      }),
      expect.objectContaining({
        price: 1990,
        compareAtPrice: 2490,
        barcode: expect.stringMatching(/^376/),
        position: 1,
      }),
    ]);
    // Without a rate, 20 %, on the product and each variant; a variant without a barcode gets an in-store one.
    expect(res.body.vatRate).toBe(2000);
    expect(res.body.variants.map((v: { vatRate: number }) => v.vatRate)).toEqual([2000, 2000]);
    expect(res.body.variants[0].barcode).toMatch(IN_STORE);
    expect(validEan13(res.body.variants[0].barcode)).toBe(true);
    // A second product with the same name gets a free slug.
    expect((await product(leaf, { name: "Marinière été" })).slug).toBe("mariniere-ete-2");
    // Draft by default.
    const { status } = await product(leaf, { status: undefined });
    expect(status).toBe("draft");
  });

  it("publishes catalog.product.created then catalog.variant.created per variant, in the product's transaction", async () => {
    const leaf = await category("Robes");
    const p = await product(leaf);
    const rows = (await outboxRows(h)).filter(
      (r) => r.type.startsWith("catalog.product") || r.type.startsWith("catalog.variant"),
    );
    expect(rows.map((r) => r.type)).toEqual([
      "catalog.product.created",
      "catalog.variant.created",
      "catalog.variant.created",
    ]);
    expect(rows.every((r) => r.subject === p.id)).toBe(true);
    expect(rows[0]!.data).toMatchObject({ id: p.id, status: "active", variants: [{ sku: p.variants[0].sku }, {}] });
    expect(rows[1]!.data).toMatchObject({
      id: p.variants[0].id,
      productId: p.id,
      productName: p.name,
      productStatus: "active",
    });
    // Someone's product, not the demo catalog's: inventory gives it no demo stock.
    expect(rows[1]!.data).not.toHaveProperty("demo");
    const { rows: tx } = await h.db.query("SELECT xmin::text AS tx FROM products WHERE id = $1", [p.id]);
    expect(new Set(rows.map((r) => r.tx))).toEqual(new Set([tx[0].tx]));
  });

  it("a SKU repeated inside the request is 409 sku_taken, naming it, and nothing is created", async () => {
    const leaf = await category("Robes");
    const res = await h.api.post(
      "/api/catalog/products",
      productBody(leaf, {
        variants: [
          { sku: "DUP-1", price: 100 },
          { sku: "DUP-1", price: 200 },
        ],
      }),
    );
    expectProblem(res, 409, "sku_taken");
    expect(res.body.detail).toContain("DUP-1");
    expect(res.body.sku).toBe("DUP-1");
    expect(await count(h, "products")).toBe(0);
    expect(await count(h, "variants")).toBe(0);
  });

  it("a SKU used by an existing variant is 409 sku_taken; no product row is left behind", async () => {
    const leaf = await category("Robes");
    await product(leaf, { variants: [{ sku: "TAKEN-1", price: 100 }] });
    const before = await outboxRows(h);
    const res = await h.api.post(
      "/api/catalog/products",
      productBody(leaf, {
        name: "Autre",
        variants: [
          { sku: "FREE-1", price: 100 },
          { sku: "TAKEN-1", price: 100 },
        ],
      }),
    );
    expectProblem(res, 409, "sku_taken");
    expect(res.body.errors[0]).toMatchObject({ field: "variants.1.sku" });
    expect(await count(h, "products")).toBe(1);
    expect(await count(h, "variants")).toBe(1);
    expect(await outboxRows(h)).toEqual(before);
  });

  it("of concurrent creates with the same SKU, one is 201 and the others 409, with one product left", async () => {
    const leaf = await category("Robes");
    for (let round = 0; round < 4; round++) {
      const results = await Promise.all(
        [0, 1, 2].map((i) =>
          h.api.post(
            "/api/catalog/products",
            productBody(leaf, { name: `Robe ${round}-${i}`, variants: [{ sku: `RACE-${round}`, price: 100 }] }),
          ),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
      for (const r of results.filter((r) => r.status === 409)) expectProblem(r, 409, "sku_taken");
    }
    expect(await count(h, "products")).toBe(4);
    expect(await count(h, "variants")).toBe(4);
  });

  it("a barcode already used is 409 barcode_taken", async () => {
    const leaf = await category("Robes");
    await product(leaf, { variants: [{ sku: "B-1", price: 100, barcode: ean13(123) }] });
    const res = await h.api.post(
      "/api/catalog/products",
      productBody(leaf, { variants: [{ sku: "B-2", price: 100, barcode: ean13(123) }] }),
    );
    expectProblem(res, 409, "barcode_taken");
    expect(res.body.barcode).toBe(ean13(123));
    // Repeated inside one request, too.
    const twice = await h.api.post(
      "/api/catalog/products",
      productBody(leaf, {
        variants: [
          { sku: "B-3", price: 100, barcode: ean13(124) },
          { sku: "B-4", price: 100, barcode: ean13(124) },
        ],
      }),
    );
    expectProblem(twice, 409, "barcode_taken");
    // And when a variant is added.
    const p = await product(leaf, { variants: [{ sku: "B-5", price: 100 }] });
    expectProblem(
      await h.api.post(`/api/catalog/products/${p.id}/variants`, { sku: "B-6", price: 100, barcode: ean13(123) }),
      409,
      "barcode_taken",
    );
    expect(await count(h, "products")).toBe(2);
    expect(await count(h, "variants")).toBe(2);
  });

  it("takes 8 to 14 digits with a valid GS1 check digit for 8, 12, 13 and 14; anything else is a 400", async () => {
    const leaf = await category("Robes");
    const ok = ["96385074", "036000291452", "4006381333931", "10012345678902", "123456789", "12345678901"];
    const created = await product(leaf, { variants: ok.map((barcode) => ({ sku: sku(), price: 100, barcode })) });
    expect(created.variants.map((v: { barcode: string }) => v.barcode)).toEqual(ok);
    for (const [barcode, code] of [
      ["4006381333932", "invalid_barcode"], // wrong check digit (EAN-13)
      ["96385075", "invalid_barcode"], // wrong check digit (EAN-8)
      ["036000291453", "invalid_barcode"], // wrong check digit (UPC-A)
      ["10012345678903", "invalid_barcode"], // wrong check digit (GTIN-14)
      ["1234567", "validation_failed"], // too short
      ["123456789012345", "validation_failed"], // too long
      ["40063813339AB", "validation_failed"], // not digits
    ] as const) {
      const res = await h.api.post(
        "/api/catalog/products",
        productBody(leaf, { variants: [{ sku: sku(), price: 100, barcode }] }),
      );
      expectProblem(res, 400, code);
      expectProblem(await h.api.patch(`/api/catalog/variants/${created.variants[0].id}`, { barcode }), 400, code);
      expectProblem(
        await h.api.post(`/api/catalog/products/${created.id}/variants`, { sku: sku(), price: 100, barcode }),
        400,
        code,
      );
    }
    expect(await count(h, "products")).toBe(1);
    expect(await count(h, "variants")).toBe(ok.length);
  });

  it("gives every variant created without a barcode a distinct in-store EAN-13, even under concurrent creates", async () => {
    const leaf = await category("Robes");
    const created = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        h.api.post(
          "/api/catalog/products",
          productBody(leaf, {
            name: `Robe ${i}`,
            variants: [
              { sku: sku(), price: 100 },
              { sku: sku(), price: 100, barcode: null },
            ],
          }),
        ),
      ),
    );
    expect(created.map((r) => r.status)).toEqual(Array(8).fill(201));
    const p = created[0]!.body;
    const added = await h.api.post(`/api/catalog/products/${p.id}/variants`, { sku: sku(), price: 100 });
    expect(added.status).toBe(201);
    const barcodes = [
      ...created.flatMap((r) => r.body.variants.map((v: { barcode: string }) => v.barcode)),
      added.body.barcode,
    ];
    expect(barcodes).toHaveLength(17);
    expect(new Set(barcodes).size).toBe(17);
    for (const code of barcodes) {
      expect(code).toMatch(IN_STORE);
      expect(validEan13(code)).toBe(true);
    }
  });

  it("skips an in-store code a caller already took by hand", async () => {
    const leaf = await category("Robes");
    const first = await product(leaf, { variants: [{ sku: sku(), price: 100 }] });
    // The next in-store code, taken by hand: the sequence's next value after the first one.
    const next = gs1(`2${String(Number(first.variants[0].barcode.slice(1, 12)) + 1).padStart(11, "0")}`);
    await product(leaf, { variants: [{ sku: sku(), price: 100, barcode: next }] });
    const later = await product(leaf, { variants: [{ sku: sku(), price: 100 }] });
    expect(later.variants[0].barcode).not.toBe(next);
    expect(later.variants[0].barcode).toMatch(IN_STORE);
  });

  it("rejects a compare-at price not above the price, an empty variant list and bad fields (400)", async () => {
    const leaf = await category("Robes");
    const res = await h.api.post(
      "/api/catalog/products",
      productBody(leaf, { variants: [{ sku: "C-1", price: 1000, compareAtPrice: 1000 }] }),
    );
    expectProblem(res, 400, "compare_at_price_not_above_price");
    expect(res.body.errors[0].field).toBe("variants.0.compareAtPrice");
    const cases: [Record<string, unknown>, string][] = [
      [{ variants: [] }, "variants"],
      [{ variants: [{ sku: "X", price: -1 }] }, "variants.0.price"],
      [{ variants: [{ sku: "X", price: 10.5 }] }, "variants.0.price"],
      [{ variants: [{ sku: "has space", price: 1 }] }, "variants.0.sku"],
      [{ status: "archived" }, "status"],
      [{ name: "" }, "name"],
      [{ categoryId: "nope" }, "categoryId"],
      [{ colour: "red" }, "colour"],
    ];
    for (const [overrides, field] of cases) {
      const bad = await h.api.post("/api/catalog/products", productBody(leaf, overrides));
      expectProblem(bad, 400, "validation_failed");
      expect(
        bad.body.errors.map((e: { field: string }) => e.field),
        JSON.stringify(overrides),
      ).toContain(field);
    }
    expect(await count(h, "products")).toBe(0);
  });

  it("refuses an unknown category (400 with a field error) and a category with sub-categories (409)", async () => {
    const unknown = await h.api.post("/api/catalog/products", productBody(UNKNOWN));
    expectProblem(unknown, 400, "category_not_found");
    expect(unknown.body.errors).toEqual([{ in: "body", field: "categoryId", message: expect.any(String) }]);
    const mode = await category("Mode");
    await category("Robes", mode);
    expectProblem(await h.api.post("/api/catalog/products", productBody(mode)), 409, "category_not_leaf");
    expect(await count(h, "products")).toBe(0);
  });

  it("a category holding products cannot get sub-categories, nor be deleted (409 category_has_products)", async () => {
    const robes = await category("Robes");
    const other = await category("Autre");
    await product(robes);
    const child = await h.api.post("/api/catalog/categories", { name: "Robes longues", parentId: robes });
    expectProblem(child, 409, "category_has_products");
    expectProblem(
      await h.api.patch(`/api/catalog/categories/${other}`, { parentId: robes }),
      409,
      "category_has_products",
    );
    expectProblem(await h.api.delete(`/api/catalog/categories/${robes}`), 409, "category_has_products");
  });

  it("a product and a sub-category created at once in the same category never both succeed", async () => {
    for (let round = 0; round < 5; round++) {
      const leaf = await category(`Leaf ${round}`);
      const [p, c] = await Promise.all([
        h.api.post("/api/catalog/products", productBody(leaf, { name: `P ${round}` })),
        h.api.post("/api/catalog/categories", { name: `Child ${round}`, parentId: leaf }),
      ]);
      expect([p.status, c.status].sort(), JSON.stringify([p.body, c.body])).toEqual([201, 409]);
    }
  });
});

describe("listing products", () => {
  it("pages newest first with a total, filters by category (with descendants), status and name", async () => {
    const mode = await category("Mode");
    const robes = await category("Robes", mode);
    const pulls = await category("Pulls", mode);
    const maison = await category("Maison");
    const created: string[] = [];
    for (let i = 0; i < 12; i++) {
      const p = await product(i < 5 ? robes : i < 9 ? pulls : maison, {
        name: `Article ${i}${i === 3 ? " lin lavé" : ""}`,
        status: i % 4 === 0 ? "draft" : "active",
      });
      created.push(p.id);
    }
    const page1 = await h.api.get("/api/catalog/products?limit=5");
    expect(page1.status).toBe(200);
    expect(page1.body.pagination).toEqual({ page: 1, limit: 5, total: 12 });
    expect(page1.body.data.map((p: { id: string }) => p.id)).toEqual(created.slice(-5).reverse());
    const page3 = await h.api.get("/api/catalog/products?limit=5&page=3");
    expect(page3.body.data.map((p: { id: string }) => p.id)).toEqual(created.slice(0, 2).reverse());
    expect((await h.api.get("/api/catalog/products?page=4&limit=5")).body.data).toEqual([]);

    const inMode = await h.api.get(`/api/catalog/products?category=${mode}&limit=100`);
    expect(inMode.body.pagination.total).toBe(9);
    const inPulls = await h.api.get(`/api/catalog/products?category=${pulls}`);
    expect(inPulls.body.data.map((p: { id: string }) => p.id).sort()).toEqual(created.slice(5, 9).sort());
    const drafts = await h.api.get("/api/catalog/products?status=draft");
    expect(drafts.body.pagination.total).toBe(3);
    const q = await h.api.get("/api/catalog/products?q=LIN%20lav");
    expect(q.body.data.map((p: { id: string }) => p.id)).toEqual([created[3]]);
    expect((await h.api.get("/api/catalog/products?q=%25")).body.pagination.total).toBe(0);

    expectProblem(await h.api.get(`/api/catalog/products?category=${UNKNOWN}`), 400, "category_not_found");
    expectProblem(await h.api.get("/api/catalog/products?limit=101"), 400, "validation_failed");
    expectProblem(await h.api.get("/api/catalog/products?page=0"), 400, "validation_failed");
  });

  it("a page or limit out of bounds is a 400 problem, never a 500 (products, price history)", async () => {
    const leaf = await category("Robes");
    const v = (await product(leaf)).variants[0];
    for (const path of ["/api/catalog/products", `/api/catalog/variants/${v.id}/price-history`]) {
      for (const query of [
        "page=100000000000000000&limit=100",
        ...[1e17, -1, 1.5, "abc"].flatMap((x) => [`page=${x}`, `limit=${x}`]),
        "page=10001", // page × limit stays within 1,000,000 rows
      ]) {
        expectProblem(await h.api.get(`${path}?${query}`), 400, "validation_failed");
      }
      const deepest = await h.api.get(`${path}?page=10000&limit=100`);
      expect(deepest.status, path).toBe(200);
      expect(deepest.body.data, path).toEqual([]);
    }
    for (const price of [1e17, -1, 1.5, "abc"]) {
      expectProblem(await h.api.put(`/api/catalog/variants/${v.id}/price`, { price }), 400, "validation_failed");
    }
    for (const position of [1e17, -1, 1.5, "abc"]) {
      expectProblem(await h.api.patch(`/api/catalog/categories/${leaf}`, { position }), 400, "validation_failed");
    }
  });

  it("anonymous callers see active products only, whatever status they ask for; drafts are 404 to them", async () => {
    const leaf = await category("Robes");
    const active = await product(leaf, { status: "active" });
    const draft = await product(leaf, { status: "draft" });
    const list = await h.anonymous.get("/api/catalog/products");
    expect(list.body.data.map((p: { id: string }) => p.id)).toEqual([active.id]);
    expect(list.body.pagination.total).toBe(1);
    const asked = await h.anonymous.get("/api/catalog/products?status=draft");
    expect(asked.body.data.map((p: { id: string }) => p.id)).toEqual([active.id]);
    const customer = await h.as({ role: "customer" });
    expect((await customer.get("/api/catalog/products?status=draft")).body.pagination.total).toBe(1);
    expectProblem(await h.anonymous.get(`/api/catalog/products/${draft.id}`), 404, "product_not_found");
    expect((await h.api.get(`/api/catalog/products/${draft.id}`)).status).toBe(200);
    expect((await h.api.get("/api/catalog/products")).body.pagination.total).toBe(2);
  });

  it("makes a free slug from the name (numbered when taken), and needs one when the name has no letters", async () => {
    const leaf = await category("Robes");
    expect((await product(leaf, { name: "Robe d'été" })).slug).toBe("robe-d-ete");
    expect((await product(leaf, { name: "Robe d’été !" })).slug).toBe("robe-d-ete-2");
    const res = await h.api.post("/api/catalog/products", productBody(leaf, { name: "★★★" }));
    expectProblem(res, 400, "product_slug_required");
  });

  it("marks anonymous reads shareable by the gateway's cache for a few seconds, never a read with a token", async () => {
    const leaf = await category("Robes");
    const active = await product(leaf, { status: "active" });
    for (const path of [
      `/api/catalog/products/${active.id}`,
      `/api/catalog/products/by-slug/${active.slug}`,
      "/api/catalog/products",
    ]) {
      expect((await h.anonymous.get(path)).headers.get("cache-control"), path).toBe("public, max-age=0, s-maxage=2");
      expect((await h.api.get(path)).headers.get("cache-control"), path).toBeNull();
      expect((await (await h.as({ role: "customer" })).get(path)).headers.get("cache-control"), path).toBeNull();
    }
  });
});

describe("list caching", () => {
  it("a public page may lag another instance's write by up to a second; this instance's writes clear it", async () => {
    const leaf = await category("Robes");
    const a = await product(leaf, { name: "Robe A" });
    const b = (await product(leaf, { name: "Robe B", status: "draft" })).id;
    const ids = async (as = h.anonymous) =>
      (await as.get("/api/catalog/products")).body.data.map((p: { id: string }) => p.id);
    expect(await ids()).toEqual([a.id]);
    // Another instance publishes the draft (same database, not through this instance).
    await h.db.query("UPDATE products SET status = 'active' WHERE id = $1", [b]);
    await h.db.query("UPDATE products SET document = product_document(id) WHERE id = $1", [b]);
    expect(await ids()).toEqual([a.id]);
    expect(await ids(h.api)).toEqual([b, a.id]); // editors always read fresh pages
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await ids()).toEqual([b, a.id]);
    // A write through this instance is visible at once.
    await h.api.post(`/api/catalog/products/${a.id}/archive`);
    expect(await ids()).toEqual([b]);
  });
});

describe("reading one product", () => {
  it("by id and by slug; unknown ids are 404 product_not_found", async () => {
    const leaf = await category("Robes");
    const p = await product(leaf, { name: "Robe portefeuille" });
    const byId = await h.anonymous.get(`/api/catalog/products/${p.id}`);
    expect(byId.body).toEqual(p);
    expect((await h.anonymous.get("/api/catalog/products/by-slug/robe-portefeuille")).body.id).toBe(p.id);
    expectProblem(await h.anonymous.get(`/api/catalog/products/${UNKNOWN}`), 404, "product_not_found");
    expectProblem(await h.anonymous.get("/api/catalog/products/by-slug/nope"), 404, "product_not_found");
    expectProblem(await h.anonymous.get("/api/catalog/products/42"), 400, "validation_failed");
  });
});

describe("changing and archiving products", () => {
  it("patches fields, status and category, publishing catalog.product.updated with the full state", async () => {
    const robes = await category("Robes");
    const pulls = await category("Pulls");
    const p = await product(robes, { status: "draft" });
    const res = await h.api.patch(`/api/catalog/products/${p.id}`, {
      name: "Robe d'été",
      description: "En lin",
      brand: null,
      attributes: { matière: "lin" },
      status: "active",
      categoryId: pulls,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      name: "Robe d'été",
      description: "En lin",
      brand: null,
      attributes: { matière: "lin" },
      status: "active",
      categoryId: pulls,
      slug: p.slug,
    });
    const last = (await outboxRows(h)).at(-1)!;
    expect(last).toMatchObject({ type: "catalog.product.updated", subject: p.id });
    expect(last.data).toMatchObject({ name: "Robe d'été", categoryId: pulls, status: "active" });
    expect(last.data.variants).toHaveLength(2);

    // The same values again: nothing written, nothing published.
    const before = await outboxRows(h);
    const same = await h.api.patch(`/api/catalog/products/${p.id}`, { name: "Robe d'été", status: "active" });
    expect(same.body.updatedAt).toBe(res.body.updatedAt);
    expect(await outboxRows(h)).toEqual(before);

    const parent = await category("Parent");
    await category("Enfant", parent);
    expectProblem(await h.api.patch(`/api/catalog/products/${p.id}`, { categoryId: parent }), 409, "category_not_leaf");
    expectProblem(
      await h.api.patch(`/api/catalog/products/${p.id}`, { categoryId: UNKNOWN }),
      400,
      "category_not_found",
    );
    expectProblem(await h.api.patch(`/api/catalog/products/${p.id}`, { status: "archived" }), 400, "validation_failed");
    expectProblem(await h.api.patch(`/api/catalog/products/${UNKNOWN}`, { name: "x" }), 404, "product_not_found");
  });

  it("keeps a VAT rate per product: given at creation, changed like any field, on every variant, in its events", async () => {
    const leaf = await category("Livres");
    const p = await product(leaf, { vatRate: 550 });
    expect(p.vatRate).toBe(550);
    expect(p.variants.map((v: { vatRate: number }) => v.vatRate)).toEqual([550, 550]);
    const created = (await outboxRows(h)).filter((e) => e.subject === p.id);
    expect(created[0]).toMatchObject({ type: "catalog.product.created", data: { vatRate: 550 } });
    expect(created.filter((e) => e.type === "catalog.variant.created").map((e) => e.data.vatRate)).toEqual([550, 550]);

    const res = await h.api.patch(`/api/catalog/products/${p.id}`, { vatRate: 1000 });
    expect(res.status).toBe(200);
    expect(res.body.vatRate).toBe(1000);
    expect((await outboxRows(h)).at(-1)).toMatchObject({
      type: "catalog.product.updated",
      subject: p.id,
      data: { vatRate: 1000 },
    });
    // Every read shows the new rate: by id, in lists, in lookups, on a variant's own answer.
    expect((await h.anonymous.get(`/api/catalog/products/${p.id}`)).body.variants[1].vatRate).toBe(1000);
    expect((await h.api.get(`/api/catalog/products`)).body.data[0].vatRate).toBe(1000);
    expect((await h.anonymous.get(`/api/catalog/variants?ids=${p.variants[0].id}`)).body.data[0].vatRate).toBe(1000);
    const priced = await h.api.put(`/api/catalog/variants/${p.variants[0].id}/price`, { price: 2500 });
    expect(priced.body.vatRate).toBe(1000);
    const added = await h.api.post(`/api/catalog/products/${p.id}/variants`, { sku: sku(), price: 100 });
    expect(added.body.vatRate).toBe(1000);

    // The same rate again: nothing published.
    const before = await outboxRows(h);
    await h.api.patch(`/api/catalog/products/${p.id}`, { vatRate: 1000 });
    expect(await outboxRows(h)).toEqual(before);
    for (const vatRate of [1900, 0, "2000", 20]) {
      expectProblem(await h.api.patch(`/api/catalog/products/${p.id}`, { vatRate }), 400, "validation_failed");
      expectProblem(
        await h.api.post("/api/catalog/products", productBody(leaf, { vatRate })),
        400,
        "validation_failed",
      );
    }
  });

  it("archives (catalog.product.archived), after which the product cannot change (409)", async () => {
    const leaf = await category("Robes");
    const p = await product(leaf);
    const res = await h.api.post(`/api/catalog/products/${p.id}/archive`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("archived");
    const last = (await outboxRows(h)).at(-1)!;
    expect(last).toMatchObject({
      type: "catalog.product.archived",
      data: { id: p.id, name: p.name, slug: p.slug, variantIds: p.variants.map((v: { id: string }) => v.id) },
    });
    expectProblem(await h.api.patch(`/api/catalog/products/${p.id}`, { name: "Encore" }), 409, "product_archived");
    expectProblem(await h.api.post(`/api/catalog/products/${p.id}/archive`), 409, "product_archived");
    expectProblem(
      await h.api.post(`/api/catalog/products/${p.id}/variants`, { sku: "LATE-1", price: 100 }),
      409,
      "product_archived",
    );
    expectProblem(
      await h.api.put(`/api/catalog/variants/${p.variants[0].id}/price`, { price: 1 }),
      409,
      "product_archived",
    );
    expectProblem(await h.api.post(`/api/catalog/products/${UNKNOWN}/archive`), 404, "product_not_found");
    // Archived products leave the public list, but stay readable by id (orders link to them).
    expect((await h.anonymous.get("/api/catalog/products")).body.data).toEqual([]);
    expect((await h.anonymous.get(`/api/catalog/products/${p.id}`)).body.status).toBe("archived");
  });
});

describe("variants", () => {
  it("adds a variant (201) announced by catalog.variant.created, then product.updated", async () => {
    const leaf = await category("Robes");
    const p = await product(leaf);
    const res = await h.api.post(`/api/catalog/products/${p.id}/variants`, {
      sku: "ADD-L",
      options: { taille: "L" },
      price: 2190,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ productId: p.id, sku: "ADD-L", price: 2190, position: 2, currency: "EUR" });
    const rows = (await outboxRows(h)).slice(-2);
    expect(rows.map((r) => r.type)).toEqual(["catalog.variant.created", "catalog.product.updated"]);
    expect(rows[0]!.data).toMatchObject({ id: res.body.id, productId: p.id, sku: "ADD-L" });
    expect((await h.api.get(`/api/catalog/products/${p.id}`)).body.variants).toHaveLength(3);
    expectProblem(
      await h.api.post(`/api/catalog/products/${p.id}/variants`, { sku: "ADD-L", price: 1 }),
      409,
      "sku_taken",
    );
    expectProblem(
      await h.api.post(`/api/catalog/products/${UNKNOWN}/variants`, { sku: "ADD-X", price: 1 }),
      404,
      "product_not_found",
    );
  });

  it("patches options, barcode and compare-at price; unknown variants are 404", async () => {
    const leaf = await category("Robes");
    const p = await product(leaf);
    const v = p.variants[0];
    const res = await h.api.patch(`/api/catalog/variants/${v.id}`, {
      options: { taille: "S", couleur: "noir" },
      barcode: ean13(999),
      compareAtPrice: 2990,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      options: { taille: "S", couleur: "noir" },
      barcode: ean13(999),
      vatRate: 2000,
      compareAtPrice: 2990,
    });
    expect((await outboxRows(h)).at(-1)).toMatchObject({ type: "catalog.product.updated", subject: p.id });
    expectProblem(
      await h.api.patch(`/api/catalog/variants/${v.id}`, { compareAtPrice: 100 }),
      400,
      "compare_at_price_not_above_price",
    );
    expectProblem(
      await h.api.patch(`/api/catalog/variants/${v.id}`, { barcode: p.variants[1].barcode }),
      409,
      "barcode_taken",
    );
    expectProblem(
      await h.api.patch(`/api/catalog/variants/${UNKNOWN}`, { barcode: ean13(998) }),
      404,
      "variant_not_found",
    );
  });

  it("looks variants up by id in batch with their product's name, status and price; unknown ids are absent", async () => {
    const leaf = await category("Robes");
    const a = await product(leaf, { name: "Robe A" });
    const b = await product(leaf, { name: "Robe B", status: "draft" });
    const ids = [b.variants[1].id, UNKNOWN, a.variants[0].id];
    const res = await h.anonymous.get(`/api/catalog/variants?ids=${ids.join(",")}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      expect.objectContaining({
        id: b.variants[1].id,
        productId: b.id,
        productName: "Robe B",
        productStatus: "draft",
        price: 1990,
        compareAtPrice: 2490,
        currency: "EUR",
        thumbnailUrl: null,
      }),
      expect.objectContaining({
        id: a.variants[0].id,
        productName: "Robe A",
        productStatus: "active",
        sku: a.variants[0].sku,
      }),
    ]);
    const tooMany = Array.from({ length: 201 }, () => UNKNOWN).join(",");
    expectProblem(await h.anonymous.get(`/api/catalog/variants?ids=${tooMany}`), 400, "validation_failed");
    expectProblem(await h.anonymous.get("/api/catalog/variants?ids=nope"), 400, "validation_failed");
    expectProblem(await h.anonymous.get("/api/catalog/variants"), 400, "validation_failed");
    const max = Array.from({ length: 200 }, () => UNKNOWN).join(",");
    expect((await h.anonymous.get(`/api/catalog/variants?ids=${max}`)).body.data).toEqual([]);
  });

  it("looks variants up by code, a SKU or a barcode (exact match), in the order of the codes, with their VAT rate", async () => {
    const leaf = await category("Épicerie");
    const a = await product(leaf, { name: "Café", vatRate: 550 });
    const b = await product(leaf, { name: "Robe" });
    const codes = [b.variants[1].barcode, "NOPE-1", a.variants[0].sku, "0000000000000", a.variants[1].barcode];
    const res = await h.anonymous.get(`/api/catalog/variants?codes=${codes.join(",")}`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((v: { id: string; vatRate: number }) => [v.id, v.vatRate])).toEqual([
      [b.variants[1].id, 2000],
      [a.variants[0].id, 550],
      [a.variants[1].id, 550],
    ]);
    expect(res.body.data[1]).toMatchObject({ productName: "Café", sku: a.variants[0].sku, productStatus: "active" });
    // Exact: another case or a part of a code finds nothing.
    const partial = await h.anonymous.get(
      `/api/catalog/variants?codes=${a.variants[0].sku.toLowerCase()},${a.variants[1].barcode.slice(0, 8)}`,
    );
    expect(partial.body.data).toEqual([]);
    // The same variant by SKU and by barcode comes once.
    const same = await h.anonymous.get(`/api/catalog/variants?codes=${a.variants[1].sku},${a.variants[1].barcode}`);
    expect(same.body.data.map((v: { id: string }) => v.id)).toEqual([a.variants[1].id]);
    // ids by id, vatRate included.
    const byId = await h.anonymous.get(`/api/catalog/variants?ids=${a.variants[0].id}`);
    expect(byId.body.data[0].vatRate).toBe(550);
  });

  it("a code lookup takes ids or codes, never both nor neither, and at most 200 codes (400)", async () => {
    const leaf = await category("Robes");
    const p = await product(leaf);
    expectProblem(
      await h.anonymous.get(`/api/catalog/variants?ids=${p.variants[0].id}&codes=${p.variants[0].sku}`),
      400,
      "validation_failed",
    );
    expectProblem(await h.anonymous.get("/api/catalog/variants"), 400, "validation_failed");
    expectProblem(await h.anonymous.get("/api/catalog/variants?codes="), 400, "validation_failed");
    expectProblem(await h.anonymous.get("/api/catalog/variants?codes=a,,b"), 400, "validation_failed");
    expectProblem(await h.anonymous.get("/api/catalog/variants?codes=a%20b"), 400, "validation_failed");
    const tooMany = Array.from({ length: 201 }, (_, i) => `C-${i}`).join(",");
    expectProblem(await h.anonymous.get(`/api/catalog/variants?codes=${tooMany}`), 400, "validation_failed");
    const max = [...Array.from({ length: 199 }, (_, i) => `C-${i}`), p.variants[0].sku].join(",");
    expect((await h.anonymous.get(`/api/catalog/variants?codes=${max}`)).body.data).toHaveLength(1);
  });
});

describe("prices", () => {
  it("a price change is kept in the history (who, old → new) and announced by catalog.variant.price_changed", async () => {
    const leaf = await category("Robes");
    const p = await product(leaf);
    const v = p.variants[0];
    const res = await h.api.put(`/api/catalog/variants/${v.id}/price`, { price: 1790 });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: v.id, price: 1790, compareAtPrice: null });
    const { rows } = await h.db.query(
      "SELECT old_price::int AS old, new_price::int AS new, changed_by, currency FROM price_history WHERE variant_id = $1",
      [v.id],
    );
    expect(rows).toEqual([{ old: 1990, new: 1790, changed_by: h.adminId, currency: "EUR" }]);
    const event = (await outboxRows(h)).at(-1)!;
    expect(event).toMatchObject({
      type: "catalog.variant.price_changed",
      subject: p.id,
      data: {
        variantId: v.id,
        productId: p.id,
        sku: v.sku,
        oldPrice: 1990,
        newPrice: 1790,
        currency: "EUR",
        changedBy: h.adminId,
      },
    });
    const { rows: tx } = await h.db.query("SELECT xmin::text AS tx FROM price_history WHERE variant_id = $1", [v.id]);
    expect(event.tx).toBe(tx[0].tx);
  });

  it("the same price again changes nothing and announces nothing", async () => {
    const leaf = await category("Robes");
    const p = await product(leaf);
    const v = p.variants[1]; // 1990, compare-at 2490
    expect((await h.api.put(`/api/catalog/variants/${v.id}/price`, { price: 1990 })).status).toBe(200);
    expect((await h.api.put(`/api/catalog/variants/${v.id}/price`, { price: 1990, compareAtPrice: 2490 })).status).toBe(
      200,
    );
    expect(await count(h, "price_history")).toBe(0);
    expect((await outboxRows(h)).filter((r) => r.type !== "catalog.category.created")).toHaveLength(3);
  });

  it("keeps the compare-at price above the price; null removes it", async () => {
    const leaf = await category("Robes");
    const p = await product(leaf);
    const v = p.variants[1]; // 1990, compare-at 2490
    expectProblem(
      await h.api.put(`/api/catalog/variants/${v.id}/price`, { price: 2490 }),
      400,
      "compare_at_price_not_above_price",
    );
    const res = await h.api.put(`/api/catalog/variants/${v.id}/price`, { price: 2490, compareAtPrice: null });
    expect(res.body).toMatchObject({ price: 2490, compareAtPrice: null });
    expectProblem(await h.api.put(`/api/catalog/variants/${UNKNOWN}/price`, { price: 1 }), 404, "variant_not_found");
  });

  it("takes a price up to MAX_UNIT_PRICE (1,000,000.00) wherever one is set; a cent more is a 400 naming the field, and nothing changes", async () => {
    const leaf = await category("Robes");
    const top = await product(leaf, { variants: [{ sku: sku(), price: MAX_UNIT_PRICE }] });
    expect(top.variants[0].price).toBe(MAX_UNIT_PRICE);
    const p = await product(leaf);
    const v = p.variants[0]; // 1990, no compare-at price
    const over = MAX_UNIT_PRICE + 1;
    const attempts: [what: string, attempt: () => Promise<any>, field: string][] = [
      [
        "a new product's price",
        () => h.api.post("/api/catalog/products", productBody(leaf, { variants: [{ sku: sku(), price: over }] })),
        "variants.0.price",
      ],
      [
        "a new product's compare-at price",
        () =>
          h.api.post(
            "/api/catalog/products",
            productBody(leaf, { variants: [{ sku: sku(), price: 1000, compareAtPrice: over }] }),
          ),
        "variants.0.compareAtPrice",
      ],
      [
        "a new variant's price",
        () => h.api.post(`/api/catalog/products/${p.id}/variants`, { sku: sku(), price: over }),
        "price",
      ],
      ["a new price", () => h.api.put(`/api/catalog/variants/${v.id}/price`, { price: over }), "price"],
      [
        "a new compare-at price with the price",
        () => h.api.put(`/api/catalog/variants/${v.id}/price`, { price: 1990, compareAtPrice: over }),
        "compareAtPrice",
      ],
      [
        "a new compare-at price",
        () => h.api.patch(`/api/catalog/variants/${v.id}`, { compareAtPrice: over }),
        "compareAtPrice",
      ],
    ];
    for (const [what, attempt, field] of attempts) {
      const res = await attempt();
      expectProblem(res, 400, "validation_failed");
      expect(
        res.body.errors.map((e: { field: string }) => e.field),
        what,
      ).toContain(field);
    }
    expect(await count(h, "products")).toBe(2);
    expect(await count(h, "variants")).toBe(3);
    expect(await count(h, "price_history")).toBe(0);
    const lookup = await h.anonymous.get(`/api/catalog/variants?ids=${v.id}`);
    expect(lookup.body.data[0]).toMatchObject({ price: 1990, compareAtPrice: null });
    // The cap itself is a price like any other.
    const res = await h.api.put(`/api/catalog/variants/${v.id}/price`, { price: MAX_UNIT_PRICE });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.price).toBe(MAX_UNIT_PRICE);
  });

  it("lists the history newest first, paginated (catalog:write)", async () => {
    const leaf = await category("Robes");
    const p = await product(leaf);
    const v = p.variants[0];
    for (const price of [1800, 1700, 1600]) {
      expect((await h.api.put(`/api/catalog/variants/${v.id}/price`, { price })).status).toBe(200);
    }
    const page1 = await h.api.get(`/api/catalog/variants/${v.id}/price-history?limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.pagination).toEqual({ page: 1, limit: 2, total: 3 });
    expect(page1.body.data.map((c: any) => [c.oldPrice, c.newPrice])).toEqual([
      [1700, 1600],
      [1800, 1700],
    ]);
    expect(page1.body.data[0]).toMatchObject({ variantId: v.id, changedBy: h.adminId, currency: "EUR" });
    const page2 = await h.api.get(`/api/catalog/variants/${v.id}/price-history?limit=2&page=2`);
    expect(page2.body.data.map((c: any) => [c.oldPrice, c.newPrice])).toEqual([[1990, 1800]]);
    const empty = await h.api.get(`/api/catalog/variants/${p.variants[1].id}/price-history`);
    expect(empty.body).toEqual({ data: [], pagination: { page: 1, limit: 20, total: 0 } });
    expectProblem(await h.api.get(`/api/catalog/variants/${UNKNOWN}/price-history`), 404, "variant_not_found");
  });
});
