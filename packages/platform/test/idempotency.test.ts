import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type App,
  ConflictError,
  canonicalJson,
  createApp,
  fingerprint,
  IdempotencyKeyHeader,
  idempotencyPart,
  idempotentRequest,
  InvalidError,
  migrateIdempotencyTables,
  once,
  pruneIdempotencyKeys,
  refuse,
  sendAnswer,
  Type,
} from "../src";
import { createTestDatabase, http, listen, type TestDatabase, testLogger } from "@comptoir/testing";

let database: TestDatabase;
let app: App;
let client: ReturnType<typeof http>;
/** How long a duplicate waits for the first request (the route passes it to `once`). */
let waitMs = 10_000;

/**
 * A tiny use case: withdraw from an account. Over the balance it records the refused attempt and
 * answers a 409 refusal (stored); a zero amount is thrown as a 400 and 13 as a bug (neither stored).
 */
async function withdraw(
  db: TestDatabase["db"],
  call: ReturnType<typeof idempotentRequest>,
  input: { account: string; amount: number; note?: string; sleepMs?: number },
) {
  if (input.amount === 0) throw new InvalidError("amount_zero", "Nothing to withdraw.");
  return once(
    db,
    call,
    { account: input.account, amount: input.amount, note: input.note ?? null },
    async ({ tx, now }) => {
      if (input.sleepMs) await tx.query("SELECT pg_sleep($1)", [input.sleepMs / 1000]);
      const { rows } = await tx.query<{ balance: number }>(
        "SELECT coalesce(sum(amount), 0)::int AS balance FROM movements WHERE account = $1",
        [input.account],
      );
      if (input.amount > 100 + rows[0]!.balance) {
        await tx.query("INSERT INTO attempts (account, amount) VALUES ($1, $2)", [input.account, input.amount]);
        return refuse(
          new ConflictError("insufficient_funds", "Not that much on the account.", {
            extensions: { available: 100 + rows[0]!.balance },
          }),
        );
      }
      if (input.amount === 13) throw new Error("unlucky");
      const id = randomUUID();
      await tx.query("INSERT INTO movements (id, account, amount) VALUES ($1, $2, $3)", [
        id,
        input.account,
        -input.amount,
      ]);
      return { id, account: input.account, amount: input.amount, at: now.toISOString() };
    },
    { waitMs },
  );
}

beforeAll(async () => {
  database = await createTestDatabase("platform_idempotency");
  await migrateIdempotencyTables(database.db);
  await database.db.query(`
    CREATE TABLE movements (id uuid PRIMARY KEY, account text NOT NULL, amount int NOT NULL);
    CREATE TABLE attempts (account text NOT NULL, amount int NOT NULL)`);
  app = await createApp({ service: "demo", instance: "demo-1", logger: testLogger("demo"), readiness: {} });
  const Body = Type.Object(
    {
      account: Type.String(),
      amount: Type.Integer({ minimum: 0 }),
      note: Type.Optional(Type.String()),
      sleepMs: Type.Optional(Type.Integer()),
    },
    { additionalProperties: false },
  );
  const Movement = Type.Object({
    id: Type.String(),
    account: Type.String(),
    amount: Type.Integer(),
    at: Type.String(),
  });
  for (const [path, required] of [
    ["/api/demo/withdrawals", false],
    ["/api/demo/keyed-withdrawals", true],
  ] as const) {
    app.post(
      path,
      {
        schema: {
          headers: Type.Object({ ...IdempotencyKeyHeader, "x-actor": Type.Optional(Type.String()) }),
          body: Body,
          response: { 201: Movement },
        },
      },
      async (request, reply) => {
        const actor = request.headers["x-actor"] ?? "someone";
        const call = idempotentRequest(request, { actor, operation: "demo.withdraw", status: 201, required });
        return sendAnswer(reply, await withdraw(database.db, call, request.body));
      },
    );
  }
  // The same helper without the header in the route's schema: it checks the key itself.
  app.post("/api/demo/unchecked", async (request, reply) => {
    const call = idempotentRequest(request, { actor: "someone", operation: "demo.unchecked", status: 200 });
    return sendAnswer(reply, await once(database.db, call, request.body, async () => ({ ok: true })));
  });
  client = http(await listen(app));
}, 60_000);

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

const count = async (table: "movements" | "attempts", account: string) =>
  (await database.db.query(`SELECT 1 FROM ${table} WHERE account = $1`, [account])).rowCount;
const withdrawal = (body: Record<string, unknown>, key?: string, actor = "alice") =>
  client.post("/api/demo/withdrawals", body, { ...(key ? { "idempotency-key": key } : {}), "x-actor": actor });

describe("an Idempotency-Key used again", () => {
  it("with the same request answers the first success again, marked as a replay, with one effect", async () => {
    const account = randomUUID();
    const key = randomUUID();
    const first = await withdrawal({ account, amount: 10, note: "rent" }, key);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const again = await withdrawal({ note: "rent", amount: 10, account }, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect(await count("movements", account)).toBe(1);
  });

  it("answers a refusal the operation recorded again: the same problem, what it wrote kept once", async () => {
    const account = randomUUID();
    const key = randomUUID();
    const first = await withdrawal({ account, amount: 500 }, key);
    expect(first.status).toBe(409);
    expect(first.headers.get("content-type")).toContain("application/problem+json");
    expect(first.body).toMatchObject({ code: "insufficient_funds", status: 409, available: 100 });
    const again = await withdrawal({ account, amount: 500 }, key);
    expect(again.status).toBe(409);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    // The first problem as it was, its request id included.
    expect(again.body).toEqual(first.body);
    expect(await count("attempts", account)).toBe(1);
    expect(await count("movements", account)).toBe(0);
  });

  it("with another request is a 422 idempotency_key_reused, and nothing is done", async () => {
    const account = randomUUID();
    const key = randomUUID();
    expect((await withdrawal({ account, amount: 10 }, key)).status).toBe(201);
    for (const other of [
      { account, amount: 11 },
      { account, amount: 10, note: "x" },
      { account: randomUUID(), amount: 10 },
    ]) {
      const res = await withdrawal(other, key);
      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ code: "idempotency_key_reused" });
    }
    expect(await count("movements", account)).toBe(1);
  });

  it("is not taken by what the operation threw: a 400 before it, a 500 inside it; the fixed request goes through", async () => {
    const account = randomUUID();
    const key = randomUUID();
    expect((await withdrawal({ account, amount: 0 }, key)).body).toMatchObject({ status: 400, code: "amount_zero" });
    expect((await withdrawal({ account, amount: 13 }, key)).status).toBe(500);
    const fixed = await withdrawal({ account, amount: 12 }, key);
    expect(fixed.status).toBe(201);
    expect(fixed.headers.get("idempotent-replayed")).toBeNull();
    expect(await count("movements", account)).toBe(1);
  });

  it("is each actor's own and each operation's own; without a key every call runs", async () => {
    const account = randomUUID();
    const key = randomUUID();
    const alice = await withdrawal({ account, amount: 1 }, key, "alice");
    const bob = await withdrawal({ account, amount: 1 }, key, "bob");
    expect(bob.body.id).not.toBe(alice.body.id);
    const unchecked = await client.post("/api/demo/unchecked", { account }, { "idempotency-key": key });
    expect(unchecked.status).toBe(200);
    await withdrawal({ account, amount: 1 });
    await withdrawal({ account, amount: 1 });
    expect(await count("movements", account)).toBe(4);
  });
});

describe("duplicates at the same time", () => {
  it("10 at once: one effect, ten identical answers, nine of them replays", async () => {
    const account = randomUUID();
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => withdrawal({ account, amount: 5, sleepMs: 200 }, key)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(answers.filter((a) => a.headers.get("idempotent-replayed") === "true")).toHaveLength(9);
    expect(await count("movements", account)).toBe(1);
  });

  it("10 at once refused: one recorded attempt, ten identical problems", async () => {
    const account = randomUUID();
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => withdrawal({ account, amount: 1000, sleepMs: 100 }, key)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(409));
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(await count("attempts", account)).toBe(1);
  });

  /** A first request that holds the key in an open transaction, on a connection of its own. */
  async function holdKey(key: string, body: Record<string, unknown>) {
    const holder = new pg.Client({ connectionString: database.url });
    holder.on("error", () => {});
    await holder.connect();
    const pid = (await holder.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
    await holder.query("BEGIN");
    await holder.query(
      "INSERT INTO idempotency_keys (actor, operation, key, fingerprint) VALUES ('alice', 'demo.withdraw', $1, $2)",
      [key, fingerprint({ note: null, ...body })],
    );
    return { holder, pid };
  }

  it("a duplicate waits for the first; when the first's process dies, the duplicate does the work once", async () => {
    const account = randomUUID();
    const key = randomUUID();
    const { holder, pid } = await holdKey(key, { account, amount: 7 });
    const duplicate = withdrawal({ account, amount: 7 }, key);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The first request's connection goes away (its process crashed): PostgreSQL aborts its transaction.
    await database.db.query("SELECT pg_terminate_backend($1)", [pid]);
    const res = await duplicate;
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.headers.get("idempotent-replayed")).toBeNull();
    expect(await count("movements", account)).toBe(1);
    await holder.end().catch(() => {});
  });

  it("a duplicate waits at most its bound, then 409 idempotency_key_in_progress with Retry-After", async () => {
    const account = randomUUID();
    const key = randomUUID();
    const { holder } = await holdKey(key, { account, amount: 7 });
    waitMs = 300;
    try {
      const started = Date.now();
      const res = await withdrawal({ account, amount: 7 }, key);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: "idempotency_key_in_progress" });
      expect(res.headers.get("retry-after")).toBe("1");
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      waitMs = 10_000;
      await holder.query("ROLLBACK");
      await holder.end();
    }
    // The first gave up: the key is free again.
    expect((await withdrawal({ account, amount: 7 }, key)).status).toBe(201);
  });
});

describe("the Idempotency-Key header", () => {
  it("is 1 to 200 printable characters without spaces; required where the route says so", async () => {
    const account = randomUUID();
    for (const key of ["has space", "x".repeat(201)]) {
      const res = await withdrawal({ account, amount: 1 }, key);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        code: "validation_failed",
        errors: [{ in: "headers", field: "idempotency-key" }],
      });
      const unchecked = await client.post("/api/demo/unchecked", {}, { "idempotency-key": key });
      expect(unchecked.status).toBe(400);
      expect(unchecked.body).toMatchObject({ code: "invalid_idempotency_key" });
    }
    const missing = await client.post("/api/demo/keyed-withdrawals", { account, amount: 1 });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: "idempotency_key_required" });
    expect(await count("movements", account)).toBe(0);
    const keyed = await client.post(
      "/api/demo/keyed-withdrawals",
      { account, amount: 1 },
      { "idempotency-key": "k".repeat(200) },
    );
    expect(keyed.status).toBe(201);
  });
});

describe("a key converted from before the module (no fingerprint)", () => {
  it("is answered on the key alone, whatever the request", async () => {
    const key = randomUUID();
    const stored = { id: randomUUID(), account: "old", amount: 3, at: new Date(0).toISOString() };
    await database.db.query(
      `INSERT INTO idempotency_keys (actor, operation, key, fingerprint, status_code, response)
       VALUES ('alice', 'demo.withdraw', $1, NULL, 201, $2)`,
      [key, JSON.stringify(stored)],
    );
    const account = randomUUID();
    const res = await withdrawal({ account, amount: 99 }, key);
    expect(res.status).toBe(201);
    expect(res.headers.get("idempotent-replayed")).toBe("true");
    expect(res.body).toEqual(stored);
    expect(await count("movements", account)).toBe(0);
  });
});

describe("keeping keys", () => {
  it("prunes keys older than the retention, and the key then counts as new", async () => {
    const account = randomUUID();
    const key = randomUUID();
    expect((await withdrawal({ account, amount: 2 }, key)).status).toBe(201);
    await database.db.query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1", [
      key,
    ]);
    expect(await pruneIdempotencyKeys(database.db, 24)).toBeGreaterThanOrEqual(1);
    expect((await database.db.query("SELECT 1 FROM idempotency_keys WHERE key = $1", [key])).rowCount).toBe(0);
    const again = await withdrawal({ account, amount: 2 }, key);
    expect(again.headers.get("idempotent-replayed")).toBeNull();
    expect(await count("movements", account)).toBe(2);
  });

  it("the service part prunes in the background with IDEMPOTENCY_RETENTION_HOURS", async () => {
    const key = randomUUID();
    expect((await withdrawal({ account: randomUUID(), amount: 2 }, key)).status).toBe(201);
    await database.db.query("UPDATE idempotency_keys SET created_at = now() - interval '3 hours' WHERE key = $1", [
      key,
    ]);
    const part = await idempotencyPart.open!({
      service: "demo",
      instance: "demo-1",
      logger: testLogger("demo"),
      env: { IDEMPOTENCY_RETENTION_HOURS: 2 },
      db: database.db,
      sessionUrl: database.url,
    });
    await part.start();
    try {
      await expect
        .poll(async () => (await database.db.query("SELECT 1 FROM idempotency_keys WHERE key = $1", [key])).rowCount)
        .toBe(0);
    } finally {
      await part.stop();
    }
  });
});

describe("the fingerprint", () => {
  it("reads members in any order, at every depth, as the same request; arrays keep their order", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
    expect(fingerprint({ a: 1, b: { c: 2, d: 3 } })).toBe(fingerprint({ b: { d: 3, c: 2 }, a: 1 }));
    expect(fingerprint({ a: [1, 2] })).not.toBe(fingerprint({ a: [2, 1] }));
    expect(fingerprint({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });

  it("is an HMAC under a secret when one is given", () => {
    const secret = Buffer.alloc(32, 7);
    expect(fingerprint({ a: 1 }, secret)).not.toBe(fingerprint({ a: 1 }));
    expect(fingerprint({ a: 1 }, secret)).toBe(fingerprint({ a: 1 }, Buffer.alloc(32, 7)));
  });
});
