// PCI DSS: orders never keeps a card's number or CVC, nor an unsalted hash of them or of a request that
// holds them. The Idempotency-Key of a checkout is checked against a fingerprint of the request: an
// HMAC under the database's own key, of the body with the card reduced to its last four digits and expiry.
import { createHash, createHmac, randomUUID } from "node:crypto";
import { migrationsDirOf } from "@comptoir/platform";
import { applyMigrations, migrate, readMigrations } from "@comptoir/platform/db";
import { createTestDatabase } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  address,
  checkout,
  expectProblem,
  guestWith,
  payments,
  type Shop,
  startShop,
  TEST_CARDS,
} from "./support/harness";

let shop: Shop;
beforeAll(async () => {
  shop = await startShop("card_data");
}, 60_000);
afterAll(async () => {
  await shop?.close();
});

const CVC = "737";
const PAN = "4000056655665556";
/** Fails Luhn: refused by payments inside the saga, after the checkout was recorded. */
const BAD_PAN = "4000056655665557";
/** Another Visa number with the declined card's last four digits. */
const DECLINED_TWIN = "4111111100000002";
const PANS = [PAN, BAD_PAN, TEST_CARDS.declined, DECLINED_TWIN];
const EXPIRY = { expMonth: 12, expYear: new Date().getUTCFullYear() + 2 };

const cardOf = (number: string, cvc = CVC) => ({ number, ...EXPIRY, cvc });
const bodyOf = (guest: { id: string }, number: string, cvc = CVC) => ({
  cartId: guest.id,
  email: "camille@example.com",
  shippingAddress: address,
  payment: { method: "card", card: cardOf(number, cvc) },
});

/** Keys sorted at every level: the form the old code hashed. */
const canonical = (value: unknown): unknown =>
  value && typeof value === "object" && !Array.isArray(value)
    ? Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
      )
    : value;

/** A value's unsalted digests, as a careless implementation would keep them. */
const digestsOf = (text: string) =>
  ["md5", "sha1", "sha256", "sha512"].flatMap((algorithm) => {
    const digest = createHash(algorithm).update(text).digest();
    return [digest.toString("hex"), digest.toString("base64")];
  });

/**
 * What of a card `text` holds: a number (also with spaces or dashes), a digest of a number or of a
 * request body that held one (`bodies`), or the CVC as a value of its own (not three digits inside a
 * longer number, an id or a timestamp).
 */
function cardDataIn(text: string, digests: string[]): string[] {
  const found: string[] = [];
  const digits = text.replace(/[^0-9]/g, "");
  for (const number of PANS) if (text.includes(number) || digits.includes(number)) found.push(`number ${number}`);
  for (const digest of digests) if (text.includes(digest)) found.push(`digest ${digest}`);
  if (new RegExp(`(^|[^0-9A-Za-z.])${CVC}([^0-9A-Za-z.]|$)`).test(text)) found.push(`cvc ${CVC}`);
  if (text.includes('"cvc"')) found.push("a cvc member");
  return found;
}

/** Every text, JSON and bytea value of every table of orders' database (checkouts, sagas, saga history, outbox…). */
async function everyStoredValue(): Promise<{ where: string; text: string }[]> {
  const db = shop.testbed.database.db;
  const { rows: columns } = await db.query<{ table: string; column: string; type: string }>(
    `SELECT quote_ident(c.table_name) AS table, quote_ident(c.column_name) AS column, c.data_type AS type
       FROM information_schema.columns c
       JOIN information_schema.tables t USING (table_schema, table_name)
      WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
        AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'ARRAY')`,
  );
  expect(columns.map((c) => `${c.table}.${c.column}`)).toEqual(
    expect.arrayContaining([
      "checkouts.fingerprint",
      "checkouts.problem",
      "sagas.input",
      "sagas.outputs",
      "sagas.failure",
      "saga_history.detail",
      "orders.shipping_address",
      "outbox.envelope",
    ]),
  );
  const values: { where: string; text: string }[] = [];
  for (const { table, column, type } of columns) {
    const value = type === "bytea" ? `encode(${column}, 'escape')` : `${column}::text`;
    const { rows } = await db.query<{ text: string }>(
      `SELECT ${value} AS text FROM ${table} WHERE ${column} IS NOT NULL`,
    );
    for (const { text } of rows) values.push({ where: `${table}.${column}`, text });
  }
  return values;
}

const fingerprintOf = async (key: string, cartId: string) =>
  (
    await shop.testbed.database.db.query<{ fingerprint: string | null }>(
      "SELECT fingerprint FROM checkouts WHERE scope = $1 AND idempotency_key = $2",
      [`cart:${cartId}`, key],
    )
  ).rows[0]!.fingerprint;

describe("card data at rest and in logs", () => {
  it("after checkouts, replays and refusals, no table and no log line holds a card number, its CVC or a digest of a body", async () => {
    const product = await shop.world.product({ price: 1500, stock: 10 });
    const bodies: object[] = [];
    const send = async (guest: Awaited<ReturnType<typeof guestWith>>, body: object, key: string) => {
      bodies.push(body);
      return guest.orders.post("/api/orders/checkout", body, { "idempotency-key": key });
    };

    // A paid order, and its replay.
    const buyer = await guestWith(shop, product.variantId, 1);
    const paidKey = randomUUID();
    const paid = await send(buyer, bodyOf(buyer, PAN), paidKey);
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    const again = await send(buyer, bodyOf(buyer, PAN), paidKey);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(paid.body.id);
    // The number as typed on a form, with spaces: the same request.
    const spaced = bodyOf(buyer, PAN.replace(/(\d{4})(?=\d)/g, "$1 "));
    expect((await send(buyer, spaced, paidKey)).body.id).toBe(paid.body.id);
    // A declined card (compensated saga, stored problem), and its replay.
    const declined = await guestWith(shop, product.variantId, 1);
    const declinedKey = randomUUID();
    expectProblem(await send(declined, bodyOf(declined, TEST_CARDS.declined), declinedKey), 402, "card_declined");
    expectProblem(await send(declined, bodyOf(declined, TEST_CARDS.declined), declinedKey), 402, "card_declined");
    // A number payments refuses (its check digit), with its field errors.
    const invalid = await guestWith(shop, product.variantId, 1);
    expectProblem(await send(invalid, bodyOf(invalid, BAD_PAN), randomUUID()), 400, "invalid_card");

    const digests = [
      ...PANS.flatMap(digestsOf),
      ...bodies.flatMap((body) => [...digestsOf(JSON.stringify(body)), ...digestsOf(JSON.stringify(canonical(body)))]),
    ];
    const stored = await everyStoredValue();
    expect(stored.flatMap(({ where, text }) => cardDataIn(text, digests).map((what) => `${where}: ${what}`))).toEqual(
      [],
    );
    // The search sees what is kept: the fingerprints, and the amounts as values of their own.
    expect(stored.filter((v) => v.where === "checkouts.fingerprint")).toHaveLength(3);
    expect(stored.some(({ text }) => /(^|[^0-9A-Za-z.])1500([^0-9A-Za-z.]|$)/.test(text))).toBe(true);

    // The search sees the log: one line per checkout call at least.
    const checkoutLines = shop.logs.filter((line) => line.includes('"url":"/api/orders/checkout"'));
    expect(checkoutLines.length).toBeGreaterThanOrEqual(bodies.length);
    expect(shop.logs.flatMap((line) => cardDataIn(line, digests).map((what) => `log: ${what}`))).toEqual([]);
  });
});

describe("the checkout fingerprint", () => {
  it("is an HMAC under the database's key of the body with only the card's last four digits and expiry; same key and body → the first answer, another card → 422", async () => {
    const product = await shop.world.product({ price: 1500, stock: 10 });
    const guest = await guestWith(shop, product.variantId, 1);
    // Two cards sharing the last four digits and expiry, with other CVCs: one fingerprint.
    const first = randomUUID();
    expectProblem(await checkout(guest, { key: first, number: TEST_CARDS.declined }), 402, "card_declined");
    const second = randomUUID();
    const twin = await guest.orders.post("/api/orders/checkout", bodyOf(guest, DECLINED_TWIN, "4321"), {
      "idempotency-key": second,
    });
    expect(twin.status, JSON.stringify(twin.body)).toBe(201);
    const fingerprint = await fingerprintOf(first, guest.id);
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(await fingerprintOf(second, guest.id)).toBe(fingerprint);

    // Keyed: not a plain digest of that reduced body, but its HMAC under this database's own key.
    const reduced = JSON.stringify(
      canonical({
        ...bodyOf(guest, TEST_CARDS.declined),
        payment: { method: "card", card: { last4: "0002", ...EXPIRY } },
      }),
    );
    expect(digestsOf(reduced)).not.toContain(fingerprint);
    const { rows } = await shop.testbed.database.db.query<{ key: Buffer }>("SELECT key FROM checkout_fingerprint_key");
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key).toHaveLength(32);
    expect(createHmac("sha256", rows[0]!.key).update(reduced).digest("hex")).toBe(fingerprint);

    // Under the paid checkout's key: the same body answers its order again, another card is refused.
    const again = await guest.orders.post("/api/orders/checkout", bodyOf(guest, DECLINED_TWIN, "4321"), {
      "idempotency-key": second,
    });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.id).toBe(twin.body.id);
    for (const card of [cardOf(PAN, "4321"), { ...cardOf(DECLINED_TWIN, "4321"), expMonth: 1 }]) {
      expectProblem(
        await guest.orders.post(
          "/api/orders/checkout",
          { ...bodyOf(guest, DECLINED_TWIN), payment: { method: "card", card } },
          { "idempotency-key": second },
        ),
        422,
        "idempotency_key_reused",
      );
    }
    expect((await payments(shop, { orderId: twin.body.id })).map((p) => p.status)).toEqual(["captured"]);
  });

  it("a checkout from before migration 002 (no fingerprint) is answered on its key alone", async () => {
    const product = await shop.world.product({ price: 1500, stock: 10 });
    const guest = await guestWith(shop, product.variantId, 1);
    const key = randomUUID();
    const first = await checkout(guest, { key });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    await shop.testbed.database.db.query(
      "UPDATE checkouts SET fingerprint = NULL WHERE scope = $1 AND idempotency_key = $2",
      [`cart:${guest.id}`, key],
    );
    const again = await checkout(guest, { key, number: TEST_CARDS.declined, body: { email: "other@example.com" } });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    expect(again.body.id).toBe(first.body.id);
  });
});

describe("migration 002", () => {
  it("forgets the card hashes of existing checkouts, keeps the checkouts, and gives each database its own key", async () => {
    const dir = migrationsDirOf(import.meta.url);
    const database = await createTestDatabase("orders_migration_002");
    try {
      const db = database.db;
      await applyMigrations(
        db,
        (await readMigrations(dir)).filter((m) => m.version === "001"),
      );
      // A checkout as the previous version recorded it: sha256 of the whole body, card included.
      const oldHash = createHash("sha256")
        .update(JSON.stringify(canonical(bodyOf({ id: randomUUID() }, PAN))))
        .digest("hex");
      const id = randomUUID();
      await db.query(
        `INSERT INTO checkouts (id, scope, idempotency_key, request_hash, order_id, status)
         VALUES ($1, 'cart:x', 'key-1', $2, $3, 'completed')`,
        [id, oldHash, randomUUID()],
      );

      await migrate(db, dir);
      const { rows } = await db.query("SELECT id, idempotency_key AS key, fingerprint FROM checkouts");
      expect(rows).toEqual([{ id, key: "key-1", fingerprint: null }]);
      const columns = await db.query(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'checkouts' AND column_name = 'request_hash'",
      );
      expect(columns.rows).toEqual([]);
      const key = (await db.query<{ key: Buffer }>("SELECT key FROM checkout_fingerprint_key")).rows;
      const shopKey = (
        await shop.testbed.database.db.query<{ key: Buffer }>("SELECT key FROM checkout_fingerprint_key")
      ).rows[0]!.key;
      expect(key).toHaveLength(1);
      expect(key[0]!.key).toHaveLength(32);
      expect(key[0]!.key.equals(shopKey)).toBe(false);
    } finally {
      await database.drop();
    }
  });
});
