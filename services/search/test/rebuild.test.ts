import { waitFor } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LoadedCatalog, loadCatalog, PRODUCTS, stock } from "./support/catalog-fixture";
import { type SearchHarness, startSearch } from "./support/harness";

/**
 * `POST /api/search/admin/rebuild`: the read model is replayed from the first event into copies of its
 * tables and swapped in; searches keep their answers the whole time, and what changes during the
 * rebuild is in the result. `GET /api/search/admin/freshness` and the lag gauge say how far behind it is.
 */
describe("rebuilding the search read model", () => {
  let h: SearchHarness;
  let catalog: LoadedCatalog;
  const everything = "limit=50&sort=newest";

  beforeAll(async () => {
    h = await startSearch("search_rebuild");
    catalog = await loadCatalog(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  const ids = async (query: string): Promise<string[]> => {
    const res = await h.search.anonymous.get(`/api/search/products?${query}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body.data as { id: string }[]).map((p) => p.id).sort();
  };
  const rebuilt = async () =>
    waitFor(
      async () => (await h.search.admin.get("/api/search/admin/rebuild")).body,
      (state) => state.phase === "done" || state.phase === "failed",
      "the rebuild to end",
    );

  it("needs events:admin", async () => {
    expect((await h.search.anonymous.post("/api/search/admin/rebuild", {})).status).toBe(401);
    const clerk = await h.search.as({ role: "clerk", permissions: [] });
    expect((await clerk.post("/api/search/admin/rebuild", {})).status).toBe(403);
    expect((await clerk.get("/api/search/admin/freshness")).status).toBe(403);
  });

  it("swaps in an equal model without a single empty answer to a reader polling meanwhile", async () => {
    const before = await ids(everything);
    const facetsBefore = (await h.search.anonymous.get(`/api/search/products?locationId=${catalog.store2}`)).body
      .facets;
    expect(before.length).toBeGreaterThan(10);

    let polling = true;
    const answers: number[] = [];
    const reader = (async () => {
      while (polling) answers.push((await ids(everything)).length);
    })();
    const started = await h.search.admin.post("/api/search/admin/rebuild", {});
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect((await h.search.admin.post("/api/search/admin/rebuild", {})).body.code).toBe("rebuild_in_progress");
    const state = await rebuilt();
    polling = false;
    await reader;

    expect(state).toMatchObject({ phase: "done", error: null });
    expect(state.read).toBeGreaterThanOrEqual(PRODUCTS.length);
    expect(state.total).toBe(state.read);
    expect(answers.length).toBeGreaterThan(0);
    expect(Math.min(...answers)).toBe(before.length);
    expect(await ids(everything)).toEqual(before);
    expect((await h.search.anonymous.get(`/api/search/products?locationId=${catalog.store2}`)).body.facets).toEqual(
      facetsBefore,
    );
  });

  it("keeps the changes made while it runs, and keeps following events after the swap", async () => {
    const [first, second] = Object.values(catalog.products);
    const started = await h.search.admin.post("/api/search/admin/rebuild", {});
    expect(started.status).toBe(202);
    await h.publish(
      "catalog.product.archived",
      { id: first!.id, name: first!.name, slug: first!.slug, variantIds: first!.variants.map((v) => v.id) },
      first!.id,
    );
    await rebuilt();
    await h.settle();
    expect(await ids(everything)).not.toContain(first!.id);

    const variant = second!.variants[0]!;
    await h.publish(
      "inventory.stock.changed",
      stock(variant.id, catalog.store2, "store", catalog.store2Id, 7),
      variant.id,
    );
    await h.settle();
    expect(await ids(`locationId=${catalog.store2}&inStock=true&limit=50`)).toContain(second!.id);
  });

  it("refuses a second rebuild while another instance runs one (409), and starts once it is over", async () => {
    const other = await h.search.db.connect();
    try {
      await other.query("SELECT pg_advisory_lock(hashtextextended('search_rebuild', 0))");
      const refused = await h.search.admin.post("/api/search/admin/rebuild", {});
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe("rebuild_in_progress");
      await other.query("SELECT pg_advisory_unlock(hashtextextended('search_rebuild', 0))");
    } finally {
      other.release();
    }
    expect((await h.search.admin.post("/api/search/admin/rebuild", {})).status).toBe(202);
    expect(await rebuilt()).toMatchObject({ phase: "done" });
  });

  it("reports per stream how far behind the read model is, in events and seconds, and as a gauge", async () => {
    await h.settle();
    const res = await h.search.admin.get("/api/search/admin/freshness");
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      expect.objectContaining({ stream: "catalog", eventsBehind: 0, secondsBehind: 0 }),
      expect.objectContaining({ stream: "inventory", eventsBehind: 0, secondsBehind: 0 }),
    ]);
    expect(Date.parse(res.body.data[0].lastAppliedAt)).toBeGreaterThan(Date.now() - 120_000);
    const metrics = await h.search.anonymous.get("/metrics");
    expect(String(metrics.body)).toMatch(/search_read_model_lag_seconds\{stream="catalog"[^}]*\} 0/);
  });
});
