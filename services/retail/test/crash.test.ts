// Issue 18's crash proof, with a real crash: the retail instance running a till sale is a separate Node
// process (fixtures/retail-process.ts), killed with SIGKILL after a step of the sale saga. Its
// connections and its memory — the card — are gone; another retail instance takes the saga over once
// the lease (1 s) has expired and completes or compensates it, every effect exactly once: one stock
// movement, one charge, one journal entry, one event (or none of them). The till, sending the same
// sale again with the same key, gets that final answer.
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { bundleProcessScript, http } from "@comptoir/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { card, level, type RetailWorld, startRetail, until } from "./support/harness";

/** The harness's retail instances sign and read the journal with this secret: so does the process. */
const JOURNAL_SECRET = "retail-test-journal-secret";

let world: RetailWorld;
let script: string;
/** What every retail process gets: the databases, the services it calls, its tokens and the issuer's keys. */
let environment: Record<string, string>;
beforeAll(async () => {
  [world, script] = await Promise.all([
    startRetail("crash"),
    bundleProcessScript(join(import.meta.dirname, "fixtures", "retail-process.ts")),
  ]);
  // Retail's service tokens are signed here: the process has no key. Every service trusts one issuer.
  const serviceToken = await world.issuer.token({ service: "retail", expiresIn: 3_600 });
  environment = {
    RETAIL_DATABASE_URL: world.retail.testbed.database.url,
    EVENT_LOG_URL: world.retail.testbed.eventLog.url,
    CATALOG_URL: world.catalog.base,
    INVENTORY_URL: world.inventory.base,
    PAYMENTS_URL: world.payments.base,
    INVENTORY_TOKEN: serviceToken,
    PAYMENTS_TOKEN: serviceToken,
    JWKS_URL: await world.issuer.serveJwks(),
    JOURNAL_SECRET,
  };
}, 90_000);

const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await world?.close();
  if (script) await rm(dirname(script), { recursive: true, force: true });
});

interface RetailProcess {
  child: ChildProcess;
  /** The first line printed that starts with `prefix`, without it. */
  line(prefix: string, what: string): Promise<string>;
}

/** A retail process that hangs when its sale saga reaches `step` `phase`. */
function startProcess(name: string, step: string, phase: string): RetailProcess {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...environment, INSTANCE: name, CRASH_AT: `${step}:${phase}` },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  return {
    child,
    line: (prefix, what) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => fail(`timed out waiting for ${what}`), 15_000);
        const check = () => {
          const found = output.split("\n").find((l) => l.startsWith(prefix));
          if (found !== undefined) done(() => resolve(found.slice(prefix.length)));
        };
        const fail = (why: string) => done(() => reject(new Error(`${name}: ${why}; its output:\n${output}`)));
        const exit = () => fail("exited");
        const done = (then: () => void) => {
          clearTimeout(timer);
          child.stdout!.off("data", check);
          child.off("exit", exit);
          then();
        };
        child.stdout!.on("data", check);
        child.once("exit", exit);
        check();
      }),
  };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode ? resolve() : child.once("exit", () => resolve()),
  );
}

/**
 * Where a sale ended and every effect it left: its request's status and problem, the sale row, the
 * payments made for it and the stock movements at the store's location (through payments' and
 * inventory's APIs), its journal entries and its events.
 */
async function saleState(saleId: string, variantId: string, locationId: string) {
  const db = world.retail.db;
  const request = (await db.query("SELECT status, problem FROM retail_requests WHERE id = $1", [saleId])).rows[0];
  const sales = (await db.query("SELECT count(*)::int AS n FROM sales WHERE id = $1", [saleId])).rows[0].n as number;
  const journal = (
    await db.query("SELECT count(*)::int AS n FROM journal_entries WHERE kind = 'sale' AND document_id = $1", [saleId])
  ).rows[0].n as number;
  const events = (
    await db.query(
      "SELECT type, count(*)::int AS n FROM outbox WHERE subject = $1 AND type LIKE 'retail.sale.%' GROUP BY type ORDER BY type",
      [saleId],
    )
  ).rows as { type: string; n: number }[];
  const paid = await world.payments.retailApi.get(`/api/payments/payments?orderId=${saleId}&limit=20`);
  expect(paid.status, JSON.stringify(paid.body)).toBe(200);
  const moved = await world.inventory.admin.get(
    `/api/inventory/movements?variantId=${variantId}&locationId=${locationId}&limit=20`,
  );
  expect(moved.status, JSON.stringify(moved.body)).toBe(200);
  return {
    request: request?.status as string | undefined,
    problem: request?.problem?.code as string | undefined,
    sales,
    payments: (paid.body.data as { status: string }[]).map((p) => p.status),
    // Every movement since the test's stock was received: what the sale moved.
    movements: (moved.body.data as { type: string; quantity: number }[])
      .filter((m) => m.type !== "receipt")
      .map((m) => `${m.type} ${m.quantity}`),
    journal,
    events,
  };
}

const STEPS = ["reserve", "charge", "commit", "complete"] as const;
const POINTS = [
  // Recorded (and its transaction committed), not yet run.
  { step: "started", phase: "saved" } as const,
  ...STEPS.flatMap((step) => (["called", "saved"] as const).map((phase) => ({ step, phase }))),
];
// A sale without a card: take (reserve and commit in one inventory call; not saved on its own, the
// completion's save carries it), then complete, run in the transaction that records the saga completed
// ("called": its writes not committed yet).
const CASH_POINTS = [
  { step: "started", phase: "saved" },
  { step: "take", phase: "called" },
  { step: "complete", phase: "called" },
  { step: "complete", phase: "saved" },
] as const;

/** Starts a process that hangs at `step` `phase`, sends it the sale, and kills it -9 there: the sale's id. */
async function killedAt(step: string, phase: string, clerkToken: string, body: object, key: string) {
  const doomed = startProcess(`retail-killed-${step}-${phase}-${key.slice(0, 8)}`, step, phase);
  const port = await doomed.line("listening ", "the process to listen");
  const answer = http(`http://127.0.0.1:${port}`, { authorization: `Bearer ${clerkToken}` })
    .post("/api/retail/sales", body, { "idempotency-key": key })
    .catch((error: unknown) => error);
  const saleId = await doomed.line("at ", `the sale to reach ${step} ${phase}`);
  doomed.child.kill("SIGKILL");
  await exited(doomed.child);
  expect(doomed.child.signalCode).toBe("SIGKILL");
  // The till gets no answer: its connection died with the process.
  expect(await answer).toBeInstanceOf(Error);
  return saleId;
}

describe("the retail process killed -9 at each point of the sale saga", () => {
  it.each(POINTS)(
    "after $step is $phase: another instance completes the sale or compensates it, each effect once, and the same key answers the end",
    async ({ step, phase }) => {
      const { store, register } = await world.till();
      const product = await world.product({ price: 2990, stock: 5, locationId: store.locationId });
      const clerkToken = await world.issuer.token({ role: "clerk", storeId: store.id, sub: store.clerk.id });
      // 29.90: 20.00 by card, 10.00 in cash (0.10 of change).
      const body = {
        registerId: register.id,
        lines: [{ variantId: product.variantId, quantity: 1 }],
        tenders: [
          { method: "card", amount: 2000, card: card() },
          { method: "cash", amount: 1000 },
        ],
      };
      const key = randomUUID();
      const saleId = await killedAt(step, phase, clerkToken, body, key);

      // Another instance's worker takes the saga over once the dead one's lease (1 s) has expired.
      const rescuer = await world.instance(`retail-rescuer-${step}-${phase}`, { sagaWorkerMs: 100 });
      try {
        const end = await until(
          () => saleState(saleId, product.variantId, store.locationId),
          (s) => s.request !== "running",
          "the end of the sale",
        );
        const till = http(rescuer.base, { authorization: `Bearer ${clerkToken}` });
        const retried = await till.post("/api/retail/sales", body, { "idempotency-key": key });
        if (step === "started" || step === "reserve") {
          // The card lived only in the dead process's memory: nothing was charged, everything is undone.
          expect(end).toEqual({
            request: "failed",
            problem: "sale_interrupted",
            sales: 0,
            payments: [],
            movements: [],
            journal: 0,
            events: [],
          });
          expect(await level(world, product.variantId, store.locationId)).toEqual({ onHand: 5, reserved: 0 });
          expect(retried.status, JSON.stringify(retried.body)).toBe(409);
          expect(retried.body.code).toBe("sale_interrupted");
        } else {
          // The card was charged before the crash (or the charge is found at payments): the sale completes.
          expect(end).toEqual({
            request: "completed",
            problem: undefined,
            sales: 1,
            payments: ["captured"],
            movements: ["reservation_commit -1"],
            journal: 1,
            events: [{ type: "retail.sale.completed", n: 1 }],
          });
          expect(await level(world, product.variantId, store.locationId)).toEqual({ onHand: 4, reserved: 0 });
          expect(retried.status, JSON.stringify(retried.body)).toBe(201);
          expect(retried.body).toMatchObject({ id: saleId, status: "completed", total: 2990, change: 10 });
        }
        // The retry changed nothing.
        expect(await saleState(saleId, product.variantId, store.locationId)).toEqual(end);
      } finally {
        await rescuer.close();
      }
    },
    40_000,
  );
});

describe("the retail process killed -9 at each point of a sale without a card", () => {
  it.each(CASH_POINTS)(
    "after $step is $phase: another instance completes the sale, its stock taken once, one journal entry, one event",
    async ({ step, phase }) => {
      const { store, register } = await world.till();
      const product = await world.product({ price: 2990, stock: 5, locationId: store.locationId });
      const clerkToken = await world.issuer.token({ role: "clerk", storeId: store.id, sub: store.clerk.id });
      // 29.90 in cash, 30.00 given (0.10 of change): nothing lives only in the dead process's memory.
      const body = {
        registerId: register.id,
        lines: [{ variantId: product.variantId, quantity: 1 }],
        tenders: [{ method: "cash", amount: 3000 }],
      };
      const key = randomUUID();
      const saleId = await killedAt(step, phase, clerkToken, body, key);

      const rescuer = await world.instance(`retail-rescuer-cash-${step}-${phase}`, { sagaWorkerMs: 100 });
      try {
        const end = await until(
          () => saleState(saleId, product.variantId, store.locationId),
          (s) => s.request !== "running",
          "the end of the sale",
        );
        expect(end).toEqual({
          request: "completed",
          problem: undefined,
          sales: 1,
          payments: [],
          movements: ["reservation_commit -1"],
          journal: 1,
          events: [{ type: "retail.sale.completed", n: 1 }],
        });
        expect(await level(world, product.variantId, store.locationId)).toEqual({ onHand: 4, reserved: 0 });
        const till = http(rescuer.base, { authorization: `Bearer ${clerkToken}` });
        const retried = await till.post("/api/retail/sales", body, { "idempotency-key": key });
        expect(retried.status, JSON.stringify(retried.body)).toBe(201);
        expect(retried.body).toMatchObject({ id: saleId, status: "completed", total: 2990, change: 10 });
        // The retry changed nothing.
        expect(await saleState(saleId, product.variantId, store.locationId)).toEqual(end);
      } finally {
        await rescuer.close();
      }
    },
    40_000,
  );
});
