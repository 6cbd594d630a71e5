import { DEMO_STORES } from "@comptoir/contracts";
import { createPgLogTransport, EventBus, migrateEventTables } from "@comptoir/events";
import { newId, withTx } from "@comptoir/platform";
import { createTestDatabase, type TestDatabase, testLogger } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as variants from "../src/db/variants.repo";
import { seedDemoStock } from "../src/seed/demo-stock";
import { CENTRAL, type Inventory, knownVariant, ONLINE, published, startInventory } from "./support/harness";

/**
 * Inventory learns variants from catalog's events: a catalog-like producer (its own database and
 * outbox, service "catalog") publishes on the same event log, inventory's bus consumes them. Demo
 * mode is on, so each of the demo catalog's new variants also receives its demo stock in the
 * handler's transaction; a variant someone created receives none.
 */
let inv: Inventory;
let producerDb: TestDatabase;
let catalog: EventBus;
let seededAtStart: string;
let notDemoAtStart: string;

beforeAll(async () => {
  inv = await startInventory("read_model", { demo: true });
  producerDb = await createTestDatabase("inventory_read_model_catalog");
  await migrateEventTables(producerDb.db);
  const logger = testLogger("catalog");
  catalog = new EventBus({
    service: "catalog",
    instance: "catalog-test",
    db: producerDb.db,
    databaseUrl: producerDb.url,
    transport: await createPgLogTransport({ url: inv.testbed.eventLog.url, logger, name: "catalog-test" }),
    logger,
  });
  // A demo catalog's variant known before the demo stores exist: the start-up seed gives it stock;
  // not to one someone created.
  seededAtStart = await knownVariant(inv, "Ancien produit");
  await variants.markDemo(inv.db, seededAtStart);
  notDemoAtStart = await knownVariant(inv, "Produit d'un utilisateur");
  expect(await seedDemoStock(inv.deps)).toBe(1);
  expect(await seedDemoStock(inv.deps)).toBe(0);
  await catalog.start();
  await inv.bus.start();
});
afterAll(async () => {
  await catalog?.stop();
  await producerDb?.drop();
  await inv?.close();
});

async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await probe();
  }
  return value;
}

const publish = (events: Parameters<EventBus["publish"]>[1][]) =>
  withTx(producerDb.db, async (tx) => {
    for (const event of events) await catalog.publish(tx, event);
  });

function product(id: string, variantId: string, sku: string, status: "draft" | "active" = "active") {
  return {
    id,
    name: "Robe d'été",
    slug: `robe-${id.slice(-6)}`,
    description: null,
    brand: "Comptoir",
    categoryId: newId(),
    status,
    attributes: {},
    variants: [
      { id: variantId, sku, options: { size: "M" }, price: 4990, compareAtPrice: null, currency: "EUR", barcode: null },
    ],
    images: [],
  };
}

const variantRow = async (id: string) =>
  (await inv.db.query("SELECT product_id, sku, name, status FROM known_variants WHERE id = $1", [id])).rows[0];
const levelsOf = async (id: string) =>
  (
    await inv.db.query(
      "SELECT location_id, on_hand, reserved, low_stock_threshold FROM stock_levels WHERE variant_id = $1 ORDER BY location_id",
      [id],
    )
  ).rows;

describe("the variants read model", () => {
  it("learns a variant from catalog.product.created and catalog.variant.created, and gives it demo stock once", async () => {
    const productId = newId();
    const variantId = newId();
    const sku = `RB-${variantId.slice(-8)}`;
    const snapshot = product(productId, variantId, sku);
    const variantCreated = {
      type: "catalog.variant.created" as const,
      subject: productId,
      data: {
        ...snapshot.variants[0]!,
        productId,
        productName: snapshot.name,
        productStatus: "active" as const,
        demo: true as const,
      },
    };
    await publish([{ type: "catalog.product.created", subject: productId, data: snapshot }, variantCreated]);
    const levels = await waitFor(
      () => levelsOf(variantId),
      (rows) => rows.length === 5,
      "demo stock at 5 locations",
    );
    expect(await variantRow(variantId)).toEqual({ product_id: productId, sku, name: "Robe d'été", status: "active" });

    const byLocation = new Map(levels.map((l) => [l.location_id, l]));
    expect(byLocation.get(CENTRAL)).toMatchObject({ on_hand: 100, reserved: 0 });
    expect(byLocation.get(ONLINE)).toMatchObject({ on_hand: 40 });
    for (const store of DEMO_STORES) {
      const l = byLocation.get(store.locationId)!;
      expect(l.on_hand).toBeGreaterThanOrEqual(5);
      expect(l.on_hand).toBeLessThanOrEqual(30);
      expect(l.low_stock_threshold).toBe(10);
    }
    const low = DEMO_STORES.filter((s) => byLocation.get(s.locationId)!.on_hand <= 10).length;
    const { rows: alerts } = await inv.db.query(
      "SELECT count(*)::int AS n FROM alerts WHERE variant_id = $1 AND status = 'open'",
      [variantId],
    );
    expect(alerts[0].n).toBe(low);
    expect(await published(inv, "inventory.alert.raised", variantId)).toHaveLength(low);
    expect((await published(inv, "inventory.stock.changed", variantId)).map((e) => e.movementType)).toEqual(
      Array(5).fill("receipt"),
    );

    // Announced again (a re-sent or repeated variant.created): no second stock.
    await publish([variantCreated]);
    await waitFor(
      async () =>
        (await inv.db.query("SELECT count(*)::int AS n FROM inbox WHERE consumer_group = 'inventory'")).rows[0].n,
      (n) => n === 3,
      "three handled events",
    );
    const { rows } = await inv.db.query("SELECT count(*)::int AS n FROM stock_movements WHERE variant_id = $1", [
      variantId,
    ]);
    expect(rows[0].n).toBe(5);

    // Its stock can now be read through the API.
    const res = await inv.admin.get(`/api/inventory/stock?variantId=${variantId}&locationId=${CENTRAL}`);
    expect(res.body).toMatchObject({ onHand: 100, sku, productName: "Robe d'été" });
    expect((await inv.admin.get("/api/inventory/admin/verify")).body.drifted).toEqual([]);
  });

  it("follows product updates and archiving", async () => {
    const productId = newId();
    const variantId = newId();
    const snapshot = product(productId, variantId, `UP-${variantId.slice(-8)}`, "draft");
    await publish([{ type: "catalog.product.created", subject: productId, data: snapshot }]);
    await waitFor(
      () => variantRow(variantId),
      (row) => row?.status === "draft",
      "the draft variant",
    );
    await publish([
      {
        type: "catalog.product.updated",
        subject: productId,
        data: { ...snapshot, name: "Robe longue", status: "active" },
      },
    ]);
    await waitFor(
      () => variantRow(variantId),
      (row) => row?.name === "Robe longue" && row.status === "active",
      "the update",
    );
    await publish([
      {
        type: "catalog.product.archived",
        subject: productId,
        data: { id: productId, name: "Robe longue", slug: snapshot.slug, variantIds: [variantId] },
      },
    ]);
    await waitFor(
      () => variantRow(variantId),
      (row) => row?.status === "archived",
      "the archive",
    );
  });

  it("the start-up demo seed gave stock to a demo variant known before the stores existed, and to no other", async () => {
    expect(await levelsOf(seededAtStart)).toHaveLength(5);
    expect(await levelsOf(notDemoAtStart)).toEqual([]);
    const locations = (await inv.admin.get("/api/inventory/locations")).body.data.map((l: any) => l.id);
    expect(locations).toEqual(expect.arrayContaining(DEMO_STORES.map((s) => s.locationId)));
  });

  it("gives no demo stock to a product someone created, even in demo mode", async () => {
    const productId = newId();
    const variantId = newId();
    const snapshot = product(productId, variantId, `US-${variantId.slice(-8)}`);
    const handled = async () =>
      (await inv.db.query("SELECT count(*)::int AS n FROM inbox WHERE consumer_group = 'inventory'")).rows[0].n;
    const before = await handled();

    await publish([
      { type: "catalog.product.created", subject: productId, data: snapshot },
      {
        type: "catalog.variant.created",
        subject: productId,
        data: { ...snapshot.variants[0]!, productId, productName: snapshot.name, productStatus: "active" },
      },
    ]);
    await waitFor(handled, (n) => n === before + 2, "both events handled");

    expect(await variantRow(variantId)).toMatchObject({ sku: snapshot.variants[0]!.sku, status: "active" });
    expect(await levelsOf(variantId)).toEqual([]);
    expect(await published(inv, "inventory.stock.changed", variantId)).toEqual([]);
    // Nor later, when demo stock is seeded at a start.
    await seedDemoStock(inv.deps);
    expect(await levelsOf(variantId)).toEqual([]);
  });
});
