import { randomUUID } from "node:crypto";
import type { EventData } from "@comptoir/contracts";
import { waitFor } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { productOf, stock } from "./support/catalog-fixture";
import { type SearchHarness, startSearch } from "./support/harness";

/**
 * The products read model through search's public API: every catalog and inventory event it consumes
 * changes what a search finds, a duplicate or an older event changes nothing, a stock level that comes
 * before its variant counts once the variant arrives, and a replay from the first event rebuilds the
 * same model.
 */
type Product = EventData<"catalog.product.created">;

describe("the products read model", () => {
  let h: SearchHarness;
  const online = randomUUID();
  const store = randomUUID();
  const storeId = randomUUID();
  const categoryId = randomUUID();
  const subCategoryId = randomUUID();

  beforeAll(async () => {
    h = await startSearch("products_read_model");
    await h.publish(
      "catalog.category.created",
      { id: categoryId, parentId: null, name: "Maison", slug: "maison", description: null, position: 0 },
      categoryId,
    );
    await h.publish(
      "catalog.category.created",
      { id: subCategoryId, parentId: categoryId, name: "Cuisine", slug: "cuisine", description: null, position: 0 },
      subCategoryId,
    );
  });
  afterAll(async () => {
    await h?.close();
  });

  const find = async (query: string) => {
    const res = await h.search.anonymous.get(`/api/search/products?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const slugs = async (query: string): Promise<string[]> => (await find(query)).data.map((p: Product) => p.slug);
  const hit = async (q: string, slug: string) =>
    (await find(`q=${encodeURIComponent(q)}`)).data.find((p: Product) => p.slug === slug);
  const newProduct = (name: string, slug: string, overrides: Partial<Product> = {}): Product => ({
    ...productOf(
      { slug, name, brand: "Maisonnette", category: "cuisine", variants: [{ sku: `SKU-${slug}`, price: 1_000 }] },
      subCategoryId,
    ),
    ...overrides,
  });
  const created = async (p: Product) => {
    await h.publish("catalog.product.created", p, p.id);
    for (const v of p.variants) {
      await h.publish(
        "catalog.variant.created",
        { ...v, productId: p.id, productName: p.name, productStatus: p.status },
        p.id,
      );
    }
  };
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

  it("finds a created product with its category path, its prices and its variants' codes", async () => {
    const p = newProduct("Bouilloire électrique", "bouilloire", {
      variants: [
        { ...newProduct("x", "x").variants[0]!, sku: "BOU-1", price: 3_000, barcode: "1112223334445" },
        { ...newProduct("x", "x").variants[0]!, sku: "BOU-2", price: 4_500, options: { couleur: "Rouge" } },
      ],
    });
    await created(p);
    await h.settle();
    const found = await hit("bouilloire", "bouilloire");
    expect(found).toMatchObject({
      id: p.id,
      brand: "Maisonnette",
      minPrice: 3_000,
      maxPrice: 4_500,
      currency: "EUR",
      categoryPath: [
        { id: categoryId, name: "Maison" },
        { id: subCategoryId, name: "Cuisine" },
      ],
      inStockOnline: false,
    });
    expect(await slugs("q=rouge")).toEqual(["bouilloire"]);
    expect(await slugs("q=1112223334445")).toEqual(["bouilloire"]);
    expect(await slugs(`category=${categoryId}&q=bouilloire`)).toEqual(["bouilloire"]);
  });

  it("shows a product's updates: new name and fields, variants added and removed", async () => {
    const p = newProduct("Grille-pain", "grille-pain");
    await created(p);
    await h.settle();
    const kept = p.variants[0]!;
    const added = { ...kept, id: randomUUID(), sku: "GP-INOX", price: 6_000 };
    await h.publish(
      "catalog.product.updated",
      { ...p, name: "Toaster inox", brand: "Cuisinart", variants: [added] },
      p.id,
    );
    await h.settle();
    expect(await slugs("q=grille")).toEqual([]);
    expect(await slugs(`q=${kept.sku}`)).toEqual([]);
    expect(await hit("toaster", "grille-pain")).toMatchObject({ brand: "Cuisinart", minPrice: 6_000, maxPrice: 6_000 });
    expect(await slugs("q=GP-INOX")).toEqual(["grille-pain"]);
  });

  it("follows a price change: the price filter and the price sort see the new price", async () => {
    const p = newProduct("Mixeur plongeant", "mixeur");
    await created(p);
    await h.settle();
    expect(await slugs("q=mixeur&minPrice=2000")).toEqual([]);
    await h.publish(
      "catalog.variant.price_changed",
      {
        variantId: p.variants[0]!.id,
        productId: p.id,
        sku: p.variants[0]!.sku,
        oldPrice: 1_000,
        newPrice: 2_500,
        currency: "EUR",
        changedBy: null,
      },
      p.id,
    );
    await h.settle();
    expect(await slugs("q=mixeur&minPrice=2000&maxPrice=3000")).toEqual(["mixeur"]);
    expect((await hit("mixeur", "mixeur")).minPrice).toBe(2_500);
  });

  it("no longer finds an archived product, and an older update arriving after the archive does not bring it back", async () => {
    const p = newProduct("Balance de cuisine", "balance");
    await created(p);
    await h.settle();
    expect(await slugs("q=balance")).toEqual(["balance"]);
    await h.publish(
      "catalog.product.archived",
      { id: p.id, name: p.name, slug: p.slug, variantIds: p.variants.map((v) => v.id) },
      p.id,
    );
    await h.settle();
    expect(await slugs("q=balance")).toEqual([]);
    await h.publish("catalog.product.updated", { ...p, name: "Balance de cuisine v2" }, p.id, {
      occurredAt: ago(60_000),
    });
    await h.settle();
    expect(await slugs("q=balance")).toEqual([]);
  });

  it("keeps the newer state when an older product update arrives late", async () => {
    const p = newProduct("Passoire", "passoire");
    await created(p);
    await h.publish("catalog.product.updated", { ...p, name: "Passoire pliable" }, p.id);
    await h.publish("catalog.product.updated", { ...p, name: "Passoire ancienne" }, p.id, { occurredAt: ago(60_000) });
    await h.settle();
    expect((await hit("passoire", "passoire")).name).toBe("Passoire pliable");
    expect(await slugs("q=ancienne")).toEqual([]);
  });

  it("does not find a draft product until it becomes active", async () => {
    const p = newProduct("Cocotte en fonte", "cocotte", { status: "draft" });
    await created(p);
    await h.settle();
    expect(await slugs("q=cocotte")).toEqual([]);
    await h.publish("catalog.product.updated", { ...p, status: "active" }, p.id);
    await h.settle();
    expect(await slugs("q=cocotte")).toEqual(["cocotte"]);
  });

  it("counts a stock level that arrived before its variant once the variant is known", async () => {
    const p = newProduct("Théière en fonte", "theiere");
    const variant = p.variants[0]!;
    await h.publish("inventory.stock.changed", stock(variant.id, online, "online", null, 4), variant.id);
    await h.publish("inventory.stock.changed", stock(variant.id, store, "store", storeId, 2), variant.id);
    await h.settle();
    expect(await slugs("q=theiere")).toEqual([]);
    await created(p);
    await h.settle();
    const body = await find(`q=theiere&locationId=${store}`);
    expect(body.data.map((d: Product) => d.slug)).toEqual(["theiere"]);
    expect(body.data[0]).toMatchObject({ inStockOnline: true, inStockAtLocation: true });
    expect(body.facets).toMatchObject({ inStockOnline: 1, inStockAtLocation: 1 });
    expect(await slugs(`q=theiere&inStock=true&locationId=${store}`)).toEqual(["theiere"]);
  });

  it("follows a stock-out, and an older level arriving late does not overwrite it", async () => {
    const p = newProduct("Presse-agrumes", "presse-agrumes");
    const variant = p.variants[0]!;
    await created(p);
    await h.publish("inventory.stock.changed", stock(variant.id, online, "online", null, 3), variant.id);
    await h.settle();
    expect(await slugs("q=agrumes&inStock=true")).toEqual(["presse-agrumes"]);
    await h.publish("inventory.stock.changed", stock(variant.id, online, "online", null, 0), variant.id);
    await h.publish("inventory.stock.changed", stock(variant.id, online, "online", null, 9), variant.id, {
      occurredAt: ago(60_000),
    });
    await h.settle();
    expect(await slugs("q=agrumes&inStock=true")).toEqual([]);
    expect((await hit("agrumes", "presse-agrumes")).inStockOnline).toBe(false);
  });

  it("counts facets anew right after a stock-out, although the same search was answered a moment before", async () => {
    const p = newProduct("Moulin à poivre", "moulin-poivre");
    const variant = p.variants[0]!;
    await created(p);
    await h.publish("inventory.stock.changed", stock(variant.id, online, "online", null, 5), variant.id);
    await h.publish("inventory.stock.changed", stock(variant.id, store, "store", storeId, 2), variant.id);
    await h.settle();
    const query = `q=moulin&locationId=${store}`;
    expect((await find(query)).facets).toMatchObject({ inStockOnline: 1, inStockAtLocation: 1 });
    await h.publish("inventory.stock.changed", stock(variant.id, store, "store", storeId, 0), variant.id);
    await h.settle();
    expect((await find(query)).facets).toMatchObject({ inStockOnline: 1, inStockAtLocation: 0 });
    await h.publish("inventory.stock.changed", stock(variant.id, online, "online", null, 0), variant.id);
    await h.settle();
    expect((await find(query)).facets).toMatchObject({ inStockOnline: 0, inStockAtLocation: 0 });
  });

  it("changes nothing when an event is delivered twice or repeated with another id", async () => {
    const p = newProduct("Saladier", "saladier");
    await created(p);
    await h.settle();
    const before = await find("q=saladier");
    const update = await h.publish("catalog.product.updated", { ...p, name: "Saladier en bois" }, p.id);
    await h.republish(update);
    await h.publish("catalog.product.updated", { ...p, name: "Saladier en bois" }, p.id, {
      occurredAt: update.occurredAt,
    });
    await h.settle();
    const after = await find("q=saladier");
    expect(after.data.map((d: Product) => d.name)).toEqual(["Saladier en bois"]);
    expect({ ...after.data[0], name: before.data[0].name, highlight: undefined }).toEqual({
      ...before.data[0],
      highlight: undefined,
    });
  });

  it("keeps every change when events about one product's variants and price are handled at once in several partitions", async () => {
    // Each variant's stock events go to the variant's partition, the price change to the product's:
    // handled concurrently, each refreshes the same product row, and none may write it from a view
    // that misses another's change (the last refresh must see every change committed before it).
    const items = Array.from({ length: 16 }, (_, i) =>
      productOf(
        {
          slug: `pichet-${i}`,
          name: `Pichet en grès ${i}`,
          brand: "Maisonnette",
          category: "cuisine",
          variants: [1, 2, 3, 4].map((n) => ({ sku: `PICHET-${i}-${n}`, price: 3_000 })),
        },
        subCategoryId,
      ),
    );
    for (const p of items) await created(p);
    for (const p of items)
      for (const v of p.variants)
        await h.publish("inventory.stock.changed", stock(v.id, online, "online", null, 5), v.id);
    await h.settle();
    expect((await find("q=pichet&inStock=true&limit=50")).pagination.total).toBe(16);

    // Then, all at once: every variant goes out of stock online except the last one of even products,
    // every product's first variant gets a new price, and every last variant comes in at the store.
    const sends: Promise<unknown>[] = [];
    items.forEach((p, i) => {
      const first = p.variants[0]!;
      sends.push(
        h.publish(
          "catalog.variant.price_changed",
          {
            variantId: first.id,
            productId: p.id,
            sku: first.sku,
            oldPrice: 3_000,
            newPrice: 1_000 + i,
            currency: "EUR",
            changedBy: null,
          },
          p.id,
        ),
      );
      p.variants.forEach((v, n) => {
        const last = n === p.variants.length - 1;
        const available = last && i % 2 === 0 ? 5 : 0;
        sends.push(h.publish("inventory.stock.changed", stock(v.id, online, "online", null, available), v.id));
        if (last) sends.push(h.publish("inventory.stock.changed", stock(v.id, store, "store", storeId, 1), v.id));
      });
    });
    await Promise.all(sends);
    await h.settle();

    const body = await find(`q=pichet&locationId=${store}&sort=price_asc&limit=50`);
    expect(
      body.data.map((d: { slug: string; minPrice: number; inStockOnline: boolean; inStockAtLocation: boolean }) => [
        d.slug,
        d.minPrice,
        d.inStockOnline,
        d.inStockAtLocation,
      ]),
    ).toEqual(items.map((p, i) => [p.slug, 1_000 + i, i % 2 === 0, true]));
    expect(body.facets).toMatchObject({ inStockOnline: 8, inStockAtLocation: 16 });
  });

  it("finds a product only once its category is known, by the category's new name, and not once it is deleted", async () => {
    const lateCategory = randomUUID();
    const p = newProduct("Tabouret de bar", "tabouret", { categoryId: lateCategory });
    await created(p);
    await h.settle();
    expect(await slugs("q=tabouret")).toEqual([]);
    await h.publish(
      "catalog.category.created",
      { id: lateCategory, parentId: categoryId, name: "Mobilier", slug: "mobilier", description: null, position: 1 },
      lateCategory,
    );
    await h.settle();
    expect(await slugs("q=tabouret")).toEqual(["tabouret"]);
    expect(await slugs("q=mobilier")).toEqual(["tabouret"]);
    await h.publish(
      "catalog.category.updated",
      { id: lateCategory, parentId: categoryId, name: "Meubles", slug: "meubles", description: null, position: 1 },
      lateCategory,
    );
    await h.settle();
    expect(await slugs("q=mobilier")).toEqual([]);
    expect(await slugs("q=meubles")).toEqual(["tabouret"]);
    const facets = (await find("q=tabouret")).facets;
    expect(facets.categories).toEqual([
      {
        id: categoryId,
        name: "Maison",
        count: 1,
        children: [{ id: lateCategory, name: "Meubles", count: 1, children: [] }],
      },
    ]);
    await h.publish("catalog.category.deleted", { id: lateCategory }, lateCategory);
    await h.settle();
    expect(await slugs("q=tabouret")).toEqual([]);
  });

  it("rebuilds the same read model when group search is replayed from the first event", async () => {
    const tables = async () => {
      const out: Record<string, unknown[]> = {};
      for (const table of ["search_categories", "search_products", "search_variants", "search_stock"]) {
        // The change feed's stamps say when a row changed, not what it holds: a replay gives new ones.
        const rows = (await h.search.db.query(`SELECT * FROM ${table} ORDER BY 1, 2`)).rows;
        out[table] = rows.map(({ change_seq: _seq, change_xid: _xid, ...row }: Record<string, unknown>) => row);
      }
      return out;
    };
    const handled = async () =>
      Number((await h.search.db.query("SELECT count(*) AS n FROM inbox WHERE consumer_group = 'search'")).rows[0].n);
    const live = await tables();
    const answers = JSON.stringify(await find(`limit=50&locationId=${store}`));
    const events = await handled();
    // A row no event explains: the reset must clear it.
    await h.search.db.query(`INSERT INTO search_stock VALUES ($1, $2, 'online', NULL, 1, 1, now(), $1)`, [
      randomUUID(),
      online,
    ]);
    const res = await h.search.admin.post("/api/search/admin/events/replay", { group: "search", fromStart: true });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await waitFor(handled, (n) => n === events, `the ${events} events handled again`);
    await h.settle();
    expect(await tables()).toEqual(live);
    expect(JSON.stringify(await find(`limit=50&locationId=${store}`))).toBe(answers);
  });
});
