import { randomUUID } from "node:crypto";
import { EVENT_PARTITIONS } from "@comptoir/contracts";
import { buildApp as buildCatalogApp } from "@comptoir/catalog";
import { createPgLogTransport, createTransport, type EventTransport } from "@comptoir/events";
import { migrationsDirOf } from "@comptoir/platform";
import {
  createTestDatabase,
  createTestIssuer,
  migrationsDirOfPackage,
  startService,
  type StartedService,
  type TestDatabase,
  type TestIssuer,
  testLogger,
  waitFor,
} from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp as buildSearchApp } from "../src/app";

/**
 * Catalog and search, each with its own database and its own event bus, joined only by the event
 * transport: what catalog's API changes must show in search's read model, and a replay from the
 * first event must rebuild that model. Runs on the PostgreSQL event log, and on NATS JetStream too
 * when TEST_NATS_URL is set.
 */
interface TransportKind {
  name: string;
  /** Opens a log of the test's own; `transport()` gives each bus its own connection to it. */
  open(): Promise<{ transport: (name: string) => Promise<EventTransport>; cleanup: () => Promise<void> }>;
}

let issuer: TestIssuer;
const natsUrl = process.env.TEST_NATS_URL;
const TRANSPORTS: TransportKind[] = [
  {
    name: "the PostgreSQL event log",
    async open() {
      const log = await createTestDatabase("search_read_model_log");
      return {
        transport: (name) => createPgLogTransport({ url: log.url, logger: testLogger("events"), name }),
        cleanup: () => log.drop(),
      };
    },
  },
];
if (natsUrl) {
  TRANSPORTS.push({
    name: "NATS JetStream",
    async open() {
      // Streams and consumers of this test's own: no other test uses this prefix.
      const prefix = `t${randomUUID().replaceAll("-", "").slice(0, 10)}`;
      return {
        transport: (name) => createTransport({ natsUrl, prefix, logger: testLogger("events"), name }),
        cleanup: async () => {},
      };
    },
  });
}

type Category = {
  id: string;
  parentId: string | null;
  name: string;
  slug: string;
  description: string | null;
  position: number;
};

const fields = ({ id, parentId, name, slug, description, position }: Category): Category => ({
  id,
  parentId,
  name,
  slug,
  description,
  position,
});

describe.each(TRANSPORTS)("the search categories read model over $name", (kind) => {
  let log: Awaited<ReturnType<TransportKind["open"]>>;
  let catalog: StartedService;
  let search: StartedService;

  /** Catalog or search from its package's buildApp, its bus on the test's transport, started. */
  const start = (service: "catalog" | "search", build: typeof buildSearchApp, migrationsDir: string) =>
    startService({
      service,
      name: "search_read_model",
      migrationsDir,
      bus: { rebalanceMs: 200, waitMs: 200 },
      transport: log.transport,
      issuer,
      startBus: true,
      build,
    });

  beforeAll(async () => {
    issuer = await createTestIssuer();
    log = await kind.open();
    catalog = await start("catalog", buildCatalogApp, migrationsDirOfPackage("@comptoir/catalog"));
    search = await start("search", buildSearchApp, migrationsDirOf(import.meta.url));
  });
  afterAll(async () => {
    for (const service of [search, catalog]) await service?.close();
    await log?.cleanup();
    await issuer?.close();
  });

  const create = async (body: Record<string, unknown>): Promise<Category> => {
    const res = await catalog.admin.post("/api/catalog/categories", body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  const patch = async (id: string, body: Record<string, unknown>) => {
    const res = await catalog.admin.patch(`/api/catalog/categories/${id}`, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };
  const searchList = async (): Promise<Category[]> => {
    const res = await search.admin.get("/api/search/categories");
    expect(res.status).toBe(200);
    return res.body.data.map(fields);
  };
  /** Catalog's categories, flat, in the order search promises: by parent (roots first), position, name. */
  const catalogList = async (): Promise<Category[]> => {
    const flat: Category[] = [];
    const walk = (nodes: (Category & { children: never[] })[]) => {
      for (const node of nodes) {
        flat.push(fields(node));
        walk(node.children);
      }
    };
    walk((await catalog.admin.get("/api/catalog/categories")).body.data);
    return flat.sort(
      (a, b) =>
        (a.parentId ?? "").localeCompare(b.parentId ?? "") || a.position - b.position || a.name.localeCompare(b.name),
    );
  };
  const searchShows = (expected: Category[]) =>
    waitFor(
      searchList,
      (list) => JSON.stringify(list) === JSON.stringify(expected),
      `search to show ${JSON.stringify(expected)}`,
    );
  const count = async (db: TestDatabase["db"], sql: string) => Number((await db.query(sql)).rows[0].n);

  it("shows what catalog's API creates, renames, moves, reorders and deletes", async () => {
    const mode = await create({ name: "Mode", position: 1 });
    const maison = await create({ name: "Maison", position: 2 });
    const femme = await create({ name: "Femme", parentId: mode.id });
    const homme = await create({ name: "Homme", parentId: mode.id, position: 3 });
    const robes = await create({ name: "Robes", parentId: femme.id, description: "Toutes les robes" });
    const accessoires = await create({ name: "Accessoires", parentId: femme.id });
    const temporary = await create({ name: "Temporaire" });
    await searchShows(await catalogList());

    await patch(femme.id, { name: "Femmes", slug: "femmes" }); // rename
    await patch(accessoires.id, { parentId: maison.id }); // move
    await patch(homme.id, { position: 0 }); // reorder: Homme before Femmes
    await patch(femme.id, { position: 5, description: "Mode femme" });
    await patch(robes.id, { name: "Robes" }); // changes nothing: no event
    expect((await catalog.admin.delete(`/api/catalog/categories/${temporary.id}`)).status).toBe(204);

    const expected = await catalogList();
    expect(expected.map((c) => c.slug)).toEqual(["mode", "maison", "homme", "femmes", "accessoires", "robes"]);
    const shown = await searchShows(expected);
    expect(shown.find((c) => c.id === femme.id)).toEqual({
      id: femme.id,
      parentId: mode.id,
      name: "Femmes",
      slug: "femmes",
      description: "Mode femme",
      position: 5,
    });
    // Seven creates, four changes (the fifth PATCH changed nothing), one delete; each handled once.
    expect(await count(catalog.db, "SELECT count(*) AS n FROM outbox")).toBe(12);
    await waitFor(
      () => count(search.db, "SELECT count(*) AS n FROM inbox WHERE consumer_group = 'search'"),
      (n) => n === 12,
      "12 handled events",
    );
  });

  it("rebuilds the same read model when group search is replayed from the start", async () => {
    const expected = await catalogList();
    // A row no event explains: the reset must clear it.
    await search.db.query(
      `INSERT INTO search_categories (id, parent_id, name, slug, description, position, updated_at)
       VALUES ($1, NULL, 'Stray', 'stray', NULL, 0, now())`,
      [randomUUID()],
    );
    const res = await search.admin.post("/api/search/admin/events/replay", { group: "search", fromStart: true });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ group: "search", streams: ["catalog", "inventory"] });

    await searchShows(expected);
    await waitFor(
      () => count(search.db, "SELECT count(*) AS n FROM inbox WHERE consumer_group = 'search'"),
      (n) => n === 12,
      "the 12 events handled again",
    );
    expect(await searchList()).toEqual(expected);
  });

  it("keeps following catalog after the replay", async () => {
    await create({ name: "Après", position: 9 });
    await searchShows(await catalogList());
  });

  it("reports consumer group search, its types and no lag in the events status", async () => {
    const status = await waitFor(
      async () => (await search.admin.get("/api/search/admin/events/status")).body,
      (body) => body.groups?.[0]?.lag?.catalog === 0,
      "no lag",
    );
    expect(status).toMatchObject({ service: "search", instance: "search-test", deadLetters: [] });
    expect(status.groups).toEqual([
      {
        group: "search",
        types: [
          "catalog.category.created",
          "catalog.category.updated",
          "catalog.category.deleted",
          "catalog.product.created",
          "catalog.product.updated",
          "catalog.product.archived",
          "catalog.variant.created",
          "catalog.variant.price_changed",
          "inventory.stock.changed",
        ],
        lag: { catalog: 0, inventory: 0 },
        // Both streams' partitions: catalog's and inventory's.
        partitionsHere: 2 * EVENT_PARTITIONS,
      },
    ]);
    const catalogStatus = (await catalog.admin.get("/api/catalog/admin/events/status")).body;
    expect(catalogStatus).toMatchObject({ service: "catalog", groups: [], outbox: { unsent: 0 } });
  });

  it("finds a product created through catalog's API by a typo'd query, at its new price, and not once archived", async () => {
    const parent = await create({ name: "Électroménager" });
    const leaf = await create({ name: "Petit électroménager", parentId: parent.id });
    const res = await catalog.admin.post("/api/catalog/products", {
      categoryId: leaf.id,
      name: "Aspirateur sans sac",
      brand: "Rowenta",
      status: "active",
      variants: [{ sku: "ROW-ASP-1", price: 19_900 }],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const product = res.body;
    const found = (q: string) =>
      search.anonymous.get(`/api/search/products?q=${encodeURIComponent(q)}`).then((r) => r.body.data);
    const [hit] = await waitFor(
      () => found("aspirateurs"),
      (data) => data.length === 1,
      "the product in search",
    );
    expect(hit).toMatchObject({
      id: product.id,
      minPrice: 19_900,
      categoryPath: [{ name: "Électroménager" }, { name: "Petit électroménager" }],
    });
    expect((await found("aspirtaeur"))[0]?.id).toBe(product.id);
    expect((await found("electromenager"))[0]?.id).toBe(product.id);

    const variantId = product.variants[0].id;
    expect((await catalog.admin.put(`/api/catalog/variants/${variantId}/price`, { price: 17_900 })).status).toBe(200);
    await waitFor(
      () => found("aspirateur"),
      (data) => data[0]?.minPrice === 17_900,
      "the new price in search",
    );

    expect((await catalog.admin.post(`/api/catalog/products/${product.id}/archive`, {})).status).toBe(200);
    await waitFor(
      () => found("aspirateur"),
      (data) => data.length === 0,
      "the archived product gone from search",
    );
  });

  it("is ready when its database and its event transport answer", async () => {
    const res = await search.admin.get("/health/ready");
    expect(res.status).toBe(200);
    expect(res.body.checks).toMatchObject({ database: { status: "ok" }, events: { status: "ok" } });
  });
});
