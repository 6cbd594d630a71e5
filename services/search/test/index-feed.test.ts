import { randomUUID } from "node:crypto";
import type { EventData } from "@comptoir/contracts";
import type { Db } from "@comptoir/platform";
import { waitFor } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refreshProducts } from "../src/db/products.repo";
import { createIndexedEngine, type IndexedEngine } from "../src/engine/indexed-engine";
import type { SearchQuery, SearchResult } from "../src/engine/search-engine";
import { codeOf, queryWords } from "../src/model/query";
import { type LoadedCatalog, loadCatalog, productOf, stock } from "./support/catalog-fixture";
import { type SearchHarness, startSearch } from "./support/harness";

/**
 * The change feed every instance's in-memory index follows (migration 004, engine/indexed-engine.ts):
 * several engines over one database answer a change as soon as it is handled, none misses a change
 * committed while it reads the feed, and a rebuild's swap makes each reload.
 */
type Product = EventData<"catalog.product.created">;

/** A search as the use case builds it from `q` and the filters. */
function search(q: string | null, rest: Partial<SearchQuery> = {}): SearchQuery {
  return {
    text: q,
    words: queryWords(q ?? undefined),
    code: codeOf(q ?? undefined),
    sort: "price_asc",
    page: 1,
    limit: 1_000,
    ...rest,
  };
}

/** What an answer shows, the same whichever instance gives it. */
const shown = (r: SearchResult) => ({ total: r.total, facets: r.facets, data: r.data });
const answers = async (engine: IndexedEngine, queries: readonly SearchQuery[]) =>
  Promise.all(queries.map(async (q) => shown(await engine.search(q))));

describe("the products change feed", () => {
  let h: SearchHarness;
  let catalog: LoadedCatalog;
  const engines: IndexedEngine[] = [];
  const engine = () => {
    const e = createIndexedEngine(h.search.db);
    engines.push(e);
    return e;
  };

  beforeAll(async () => {
    h = await startSearch("index_feed");
    catalog = await loadCatalog(h);
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  const product = (slug: string) => catalog.products[slug]!;
  const priceChanged = (p: Product, newPrice: number, occurredAt?: string) =>
    h.publish(
      "catalog.variant.price_changed",
      {
        variantId: p.variants[0]!.id,
        productId: p.id,
        sku: p.variants[0]!.sku,
        oldPrice: p.variants[0]!.price,
        newPrice,
        currency: "EUR",
        changedBy: null,
      },
      p.id,
      occurredAt === undefined ? {} : { occurredAt },
    );
  const rebuilt = async () => {
    const started = await h.search.admin.post("/api/search/admin/rebuild", {});
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const state = await waitFor(
      async () => (await h.search.admin.get("/api/search/admin/rebuild")).body,
      (s) => s.phase === "done" || s.phase === "failed",
      "the rebuild to end",
    );
    expect(state).toMatchObject({ phase: "done", error: null });
  };

  it("brings a kept answer without text up to date after a price and a stock change, as a fresh engine answers", async () => {
    const running = engine();
    const queries = [
      search(null, { category: catalog.categoryIds["chaussures"]! }),
      search(null, { sort: "newest", limit: 5 }),
      search(null, { minPrice: 1_000, maxPrice: 20_000, inStock: true }),
    ];
    const before = await answers(running, queries); // kept
    const shoe = product("chaussure-running-pegasus");
    expect(before[0]!.data.find((d) => d.id === shoe.id)?.inStockOnline).toBe(true);
    await priceChanged(shoe, 11_990);
    await h.publish(
      "inventory.stock.changed",
      stock(shoe.variants[0]!.id, catalog.online, "online", null, 0),
      shoe.variants[0]!.id,
    );
    await h.settle();
    const stored = async () =>
      (
        await h.search.db.query("SELECT min_price::int AS price, in_stock_online FROM search_products WHERE id = $1", [
          shoe.id,
        ])
      ).rows[0] as { price: number; in_stock_online: boolean };
    const row = await waitFor(stored, (r) => !r.in_stock_online, "the read model to hold the stock-out");
    const now = await answers(running, queries);
    expect(now).toEqual(await answers(engine(), queries));
    const found = now[0]!.data.find((d) => d.id === shoe.id);
    expect(found?.minPrice).toBe(row.price);
    expect(found?.inStockOnline).toBe(false);
    expect(now).not.toEqual(before);
  });

  it("shows a change on two instances as soon as its event is handled, although both answered the query before", async () => {
    const [one, two] = [engine(), engine()];
    const queries = [search(null), search("casque"), search("yoga"), search("tapis", { inStock: true })];
    const before = await answers(one, queries);
    expect(await answers(two, queries)).toEqual(before);
    expect(before[0]!.total).toBe(34);

    const helmet = product("casque-velo");
    const mat = product("tapis-de-yoga");
    const bottle = product("gourde-isotherme");
    await priceChanged(helmet, 77_700);
    await h.publish("catalog.product.updated", { ...mat, name: "Tapis de sol" }, mat.id);
    await h.publish(
      "inventory.stock.changed",
      stock(bottle.variants[0]!.id, catalog.online, "online", null, 0),
      bottle.variants[0]!.id,
    );
    await h.settle();

    const [afterOne, afterTwo] = await Promise.all([answers(one, queries), answers(two, queries)]);
    expect(afterTwo).toEqual(afterOne);
    const [all, casque, yoga, tapis] = afterOne;
    expect(all!.data.find((d) => d.id === helmet.id)).toMatchObject({ minPrice: 77_700, maxPrice: 77_700 });
    expect(all!.data.find((d) => d.id === bottle.id)).toMatchObject({ inStockOnline: false });
    expect(all!.facets.inStockOnline).toBe(before[0]!.facets.inStockOnline - 1);
    expect(casque!.data.map((d) => d.slug)).toEqual(["casque-audio-sans-fil", "casque-velo"]);
    expect(yoga!.data).toEqual([]);
    expect(tapis!.data.map((d) => [d.slug, d.name])).toEqual([["tapis-de-yoga", "Tapis de sol"]]);
    // The service's own instance, through its API, agrees.
    const api = await h.search.anonymous.get("/api/search/products?q=casque&sort=price_asc");
    expect(api.body.data).toEqual(casque!.data);
  });

  it("misses no change committed while an instance reads the feed, under many concurrent handlers", async () => {
    const categoryId = catalog.categoryIds.fitness!;
    const items = Array.from({ length: 40 }, (_, i) =>
      productOf(
        {
          slug: `flux-${i}`,
          name: `Article de flux ${i}`,
          brand: i % 2 === 0 ? "Flux" : "Reflux",
          category: "fitness",
          variants: [{ sku: `FLUX-${i}`, price: 1_000 + i }],
        },
        categoryId,
      ),
    );
    for (const p of items) await h.publish("catalog.product.created", p, p.id);
    await h.settle();

    const follower = engine();
    await follower.sync();
    let following = true;
    const versions = new Set<number>();
    const loop = (async () => {
      while (following) {
        await follower.sync();
        await follower.search(search(null, { limit: 5 }));
        versions.add(follower.index.version);
      }
    })();

    // 200 changes over the 40 products, each stamped later than the one before it (the last one wins),
    // sent 25 at a time: prices, online stock, and renames (a product event carries its variants' prices).
    const start = Date.now();
    const expected = new Map(items.map((p) => [p.id, { price: p.variants[0]!.price, name: p.name, online: false }]));
    const sends: (() => Promise<unknown>)[] = [];
    for (let i = 0; i < 200; i++) {
      const p = items[(i * 7) % 40]!;
      const variant = p.variants[0]!;
      const occurredAt = new Date(start + i * 10).toISOString();
      const want = expected.get(p.id)!;
      if (i % 5 === 3) {
        const name = `Article renommé ${i}`;
        const price = 5_000 + i;
        Object.assign(want, { name, price });
        sends.push(() =>
          h.publish("catalog.product.updated", { ...p, name, variants: [{ ...variant, price }] }, p.id, { occurredAt }),
        );
      } else if (i % 2 === 0) {
        const price = 2_000 + ((i * 37) % 500) * 10;
        want.price = price;
        sends.push(() => priceChanged(p, price, occurredAt));
      } else {
        const available = i % 3;
        want.online = available > 0;
        sends.push(() =>
          h.publish(
            "inventory.stock.changed",
            stock(variant.id, catalog.online, "online", null, available),
            variant.id,
            {
              occurredAt,
            },
          ),
        );
      }
    }
    for (let i = 0; i < sends.length; i += 25) await Promise.all(sends.slice(i, i + 25).map((send) => send()));
    await h.settle();
    following = false;
    await loop;
    expect(versions.size).toBeGreaterThan(2);

    await follower.sync();
    const fresh = engine();
    const queries = [
      search(null, { category: categoryId, limit: 100 }),
      search(null, { category: categoryId, sort: "price_desc", limit: 100 }),
      search(null, { category: categoryId, inStock: true, sort: "newest", limit: 100 }),
      search("article", { brand: "reflux" }),
      search("renomme", { sort: "relevance" }),
      search(null),
    ];
    const followed = await answers(follower, queries);
    expect(followed).toEqual(await answers(fresh, queries));

    const inCategory = followed[0]!.data;
    expect(inCategory.filter((d) => d.slug.startsWith("flux-"))).toHaveLength(40);
    for (const p of items) {
      const hit = inCategory.find((d) => d.id === p.id)!;
      const want = expected.get(p.id)!;
      expect({ name: hit.name, price: hit.minPrice, online: hit.inStockOnline }, p.slug).toEqual(want);
    }
    expect(followed[4]!.total).toBe([...expected.values()].filter((w) => w.name.startsWith("Article renommé")).length);
    expect(followed[4]!.total).toBeGreaterThan(5);
  });

  it("reloads an instance when a rebuild swaps the tables in: what the new tables lack is gone", async () => {
    const before = engine();
    await before.sync();
    // A product the events do not explain: the rebuilt tables will not have it.
    const ghost = await insertProductNoEventExplains(h.search.db, catalog.categoryIds.cuisine!);
    expect((await before.search(search("fantome"))).data.map((d) => d.id)).toEqual([ghost]);

    await rebuilt();
    const queries = [search(null), search("fantome"), search("casque"), search(null, { locationId: catalog.store2 })];
    const reloaded = await answers(before, queries);
    expect(reloaded[1]!.data).toEqual([]);
    expect(reloaded).toEqual(await answers(engine(), queries));

    // And it keeps following the new tables' feed.
    const knife = product("couteau-de-chef");
    await priceChanged(knife, 6_400);
    await h.settle();
    expect((await before.search(search("couteau"))).data[0]).toMatchObject({ id: knife.id, minPrice: 6_400 });
  });

  it("suggests a product's new name and slug when its words stay the same", async () => {
    const speaker = product("enceinte-bluetooth");
    const suggest = async () =>
      (await h.search.anonymous.get("/api/search/suggest?q=encein")).body.data.map(
        (s: { text: string; slug: string }) => [s.text, s.slug],
      );
    expect(await suggest()).toEqual([["Enceinte Bluetooth portable", "enceinte-bluetooth"]]);
    await h.publish(
      "catalog.product.updated",
      { ...speaker, name: "ENCEINTE Bluetooth Portable", slug: "enceinte-bluetooth-portable" },
      speaker.id,
    );
    await h.settle();
    // Searches see it at once...
    const found = await h.search.anonymous.get("/api/search/products?q=enceinte");
    expect(found.body.data.map((d: { name: string; slug: string }) => [d.name, d.slug])).toEqual([
      ["ENCEINTE Bluetooth Portable", "enceinte-bluetooth-portable"],
    ]);
    // ...suggestions keep the answer cached for the names' version, which an in-place change does not bump.
    expect(await suggest()).toEqual([["ENCEINTE Bluetooth Portable", "enceinte-bluetooth-portable"]]);
  });

  it("forgets on every running instance what a replay from the first event no longer creates", async () => {
    const running = engine();
    await running.sync();
    const ghost = await insertProductNoEventExplains(h.search.db, catalog.categoryIds.cuisine!);
    expect((await running.search(search("fantome"))).data.map((d) => d.id)).toEqual([ghost]);
    const handled = async () =>
      Number((await h.search.db.query("SELECT count(*) AS n FROM inbox WHERE consumer_group = 'search'")).rows[0].n);
    const events = await handled();
    const res = await h.search.admin.post("/api/search/admin/events/replay", { group: "search", fromStart: true });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await waitFor(handled, (n) => n === events, `the ${events} events handled again`);
    await h.settle();
    // The tables no longer hold it, and a new instance does not find it...
    expect((await engine().search(search("fantome"))).data).toEqual([]);
    // ...nor does the running one: the TRUNCATE gave the table new storage, which the feed's epoch names.
    expect((await running.search(search("fantome"))).data).toEqual([]);
  });

  it("a search during a reload is answered by the index that was answering, never an empty one", async () => {
    const gate = gatedDb(h.search.db);
    const instance = createIndexedEngine(gate.db);
    await instance.sync();
    const expected = shown(await engine().search(search("casque")));
    expect(expected.total).toBe(2);

    // The search reads the feed (nothing new), then asks PostgreSQL for its word's lexemes: held there.
    const words = gate.hold((sql) => sql.includes("search_word_query"));
    const pending = instance.search(search("casque"));
    await words.reached;

    // Meanwhile a rebuild swaps the tables in and another request's feed read starts the reload: the
    // new index is built aside (its feed read held there) while the old one keeps answering.
    await rebuilt();
    let feedReads = 0;
    const refill = gate.hold((sql) => sql.includes("FROM search_products p") && ++feedReads === 2);
    const reload = instance.sync();
    await refill.reached;
    expect(instance.index.size).toBeGreaterThan(0);

    words.release();
    const answered = shown(await pending);
    refill.release();
    await reload;
    expect(answered).toEqual(expected);
  });
});

/** Writes a searchable product straight into the read model, as no event would, and stamps it in the feed. */
async function insertProductNoEventExplains(db: Db, categoryId: string): Promise<string> {
  const id = randomUUID();
  const client = await db.connect();
  try {
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO search_products (id, name, slug, status, category_id, created_at, changed_at, changed_by_event)
       VALUES ($1, 'Produit fantôme', $2, 'active', $3, now(), now(), $4)`,
      [id, `fantome-${id}`, categoryId, randomUUID()],
    );
    await client.query(
      `INSERT INTO search_variants (id, product_id, sku, price, currency, changed_at, changed_by_event)
       VALUES ($1, $2, $3, 1234, 'EUR', now(), $4)`,
      [randomUUID(), id, `GHOST-${id.slice(0, 8)}`, randomUUID()],
    );
    await refreshProducts(client, [id]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  } finally {
    client.release();
  }
  return id;
}

/**
 * The service's pool seen through a gate: a query matching a held predicate waits (and says it has
 * arrived) until released. Lets a test stop an engine between two of its queries.
 */
function gatedDb(db: Db) {
  const holds: { matches: (sql: string) => boolean; arrived: () => void; released: Promise<void> }[] = [];
  const gated = {
    async query(text: string, values?: unknown[]) {
      for (const hold of holds) {
        if (hold.matches(text)) {
          hold.arrived();
          await hold.released;
        }
      }
      return db.query(text, values);
    },
  };
  return {
    db: gated as unknown as Db,
    hold(matches: (sql: string) => boolean) {
      let arrived!: () => void;
      let release!: () => void;
      const reached = new Promise<void>((resolve) => (arrived = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.push({ matches, arrived, released });
      return { reached, release };
    },
  };
}
