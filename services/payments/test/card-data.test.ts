// PCI DSS: of a card, at most its brand, last four digits and expiry may be kept; never its number
// (nor an unsalted hash of it), never its CVC. Every text column of every table and every log line is
// searched after payments, replays, refusals and refunds made with cards whose CVC is 737.
import { createHash, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  card,
  expectProblem,
  pay,
  paymentBody,
  type Payments,
  refund,
  startPayments,
  TEST_CARDS,
} from "./support/harness";

let payments: Payments;

beforeAll(async () => {
  payments = await startPayments("card-data");
});
afterAll(() => payments?.close());

const CVC = "737";
const PAN = "4000056655665556";
const OTHER_PAN = "5555555555554444";
const BAD_PAN = "4000056655665557";
const PANS = [PAN, OTHER_PAN, BAD_PAN, TEST_CARDS.declined];

const withCvc = (number: string) => ({ ...card(number), cvc: CVC });

/** The number's unsalted digests, as a careless implementation would keep them. */
const digestsOf = (number: string) =>
  ["md5", "sha1", "sha256", "sha512"].flatMap((algorithm) => {
    const digest = createHash(algorithm).update(number).digest();
    return [digest.toString("hex"), digest.toString("base64")];
  });
const DIGESTS = PANS.flatMap(digestsOf);

/**
 * What of a card `text` holds: a number (also written with spaces or dashes), one of its digests, or
 * the CVC as a value of its own (not three digits inside a longer number, an id or a timestamp).
 */
function cardDataIn(text: string): string[] {
  const found: string[] = [];
  const digits = text.replace(/[^0-9]/g, "");
  for (const number of PANS) if (text.includes(number) || digits.includes(number)) found.push(`number ${number}`);
  for (const digest of DIGESTS) if (text.includes(digest)) found.push(`digest ${digest}`);
  if (new RegExp(`(^|[^0-9A-Za-z.])${CVC}([^0-9A-Za-z.]|$)`).test(text)) found.push(`cvc ${CVC}`);
  return found;
}

describe("card data at rest and in logs", () => {
  it("after payments, replays, refusals and refunds, no table and no log line holds a number or the CVC", async () => {
    // An authorization, and its replay.
    const key = randomUUID();
    const body = paymentBody({ card: withCvc(PAN) });
    const first = await pay(payments.orders, body, key);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const replay = await pay(payments.orders, body, key);
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    // The same key with another card: refused, nothing kept of that card either.
    expectProblem(
      await pay(payments.orders, { ...body, card: withCvc(OTHER_PAN) }, key),
      422,
      "idempotency_key_reused",
    );
    // A declined card, and its replay.
    const declinedKey = randomUUID();
    const declinedBody = paymentBody({ card: withCvc(TEST_CARDS.declined) });
    expectProblem(await pay(payments.orders, declinedBody, declinedKey), 402, "card_declined");
    const declinedAgain = await pay(payments.orders, declinedBody, declinedKey);
    expectProblem(declinedAgain, 402, "card_declined");
    expect(declinedAgain.headers.get("idempotent-replayed")).toBe("true");
    // A card that fails its checks.
    expectProblem(await pay(payments.orders, paymentBody({ card: withCvc(BAD_PAN) })), 400, "invalid_card");
    // Captured at once, refunded, the refund replayed.
    const captured = await pay(payments.orders, paymentBody({ card: withCvc(PAN), capture: true }));
    expect(captured.status).toBe(201);
    const refundKey = randomUUID();
    expect((await refund(payments.orders, captured.body.id, { amount: 500 }, refundKey)).status).toBe(201);
    expect((await refund(payments.orders, captured.body.id, { amount: 500 }, refundKey)).status).toBe(201);

    const db = payments.db;
    const { rows: columns } = await db.query<{ table: string; column: string; type: string }>(
      `SELECT quote_ident(c.table_name) AS table, quote_ident(c.column_name) AS column, c.data_type AS type
         FROM information_schema.columns c
         JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
          AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'ARRAY')`,
    );
    const searched = columns.map((c) => `${c.table}.${c.column}`);
    expect(searched).toEqual(
      expect.arrayContaining([
        "payments.last4",
        "payments.failure_reason",
        "idempotency_keys.fingerprint",
        "idempotency_keys.response",
        "outbox.envelope",
      ]),
    );
    const stored: string[] = [];
    const found: string[] = [];
    for (const { table, column, type } of columns) {
      const value = type === "bytea" ? `encode(${column}, 'escape')` : `${column}::text`;
      const { rows } = await db.query<{ text: string }>(
        `SELECT ${value} AS text FROM ${table} WHERE ${column} IS NOT NULL`,
      );
      for (const { text } of rows) {
        stored.push(text);
        for (const what of cardDataIn(text)) found.push(`${table}.${column}: ${what}`);
      }
    }
    expect(found).toEqual([]);
    // The search sees what is kept: the last four digits, the amounts (as values of their own).
    expect(stored.some((text) => text.includes(PAN.slice(-4)))).toBe(true);
    expect(stored.some((text) => /(^|[^0-9A-Za-z.])1999([^0-9A-Za-z.]|$)/.test(text))).toBe(true);

    expect(payments.logs.length).toBeGreaterThan(10);
    expect(payments.logs.flatMap((line) => cardDataIn(line).map((what) => `log: ${what}`))).toEqual([]);
    expect(payments.logs.join("\n")).not.toContain('"cvc"');
  });
});
