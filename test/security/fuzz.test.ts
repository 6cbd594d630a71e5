import { execFileSync } from "node:child_process";
import type { Role } from "@comptoir/contracts";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type FuzzCase, caseArb, collectionFor, judge, urlOf, type Verdict } from "./support/fuzz-cases";
import { loadOperations, type Operation, type Parameter, SERVICES, type Service } from "./support/openapi";
import { type Answer, type CallOptions, call, expectProblem, newCustomer, token } from "./support/platform";

/**
 * The fuzz suite: every operation of every service's OpenAPI document, sent through the gateway
 * with inputs fast-check derives from the document — valid-looking ones and one-mutation-away
 * ones (path, query, headers, body) — anonymously and as each demo role. Whatever the input:
 * - no 5xx;
 * - every 4xx is problem+json with a code (expectProblem);
 * - no stack trace, file path or SQL text in any body;
 * - an input the document refuses (wrong type, missing required, unknown property, out of bounds)
 *   is never answered 2xx.
 *
 * Replay: FUZZ_SEED=<seed> (printed at the end) gives the same inputs (ids the platform hands out
 * differ from run to run); FUZZ_OP="POST /api/catalog/products" narrows to matching operations;
 * FUZZ_RUNS=<n> sets the inputs per operation and caller (default 8); FUZZ_VERBOSE=1 prints the
 * answers' statuses per operation.
 *
 * The demo data stays usable for the other files: writes that name an object in their path (PATCH,
 * DELETE, actions) only name objects the fuzz created itself, or random ids; a body names a demo
 * object only where nothing in it changes (SHARED_FOR_WRITES); logins use random e-mails; see also
 * EXCLUDED and OWN_ACCOUNT_FOR. Traffic is spread over 64 loopback addresses (the anonymous budget
 * and the login throttle are per address) and stays far below the per-user budget.
 */

/**
 * The seed: FUZZ_SEED, else under CI the commit's own (its hash: a CI run of a commit can be
 * replayed exactly, and every new commit explores new inputs), else a random one.
 */
function commitSeed(): number | undefined {
  try {
    const head = execFileSync("git", ["rev-parse", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return parseInt(head.trim().slice(0, 8), 16) % 2 ** 31;
  } catch {
    return undefined;
  }
}
const SEED = Number(
  process.env.FUZZ_SEED ?? (process.env.CI ? commitSeed() : undefined) ?? Math.floor(Math.random() * 2 ** 31),
);
const RUNS = Number(process.env.FUZZ_RUNS ?? 8);
/** Cases a caller gets before being counted as turned away by a guard (all 401/403). */
const GUARD_PROBES = 3;
const ONLY = process.env.FUZZ_OP;
const CONCURRENCY = 12;
/** Source addresses the traffic is spread over (the anonymous budget and the login throttle are per address). */
const ADDRESSES = 64;
const from = (n: number) => `127.0.100.${1 + (n % ADDRESSES)}`;
/** Where the fuzz logs in and reads the documents (not a fuzz address: its login budget stays whole). */
const HOME = "127.0.101.1";

type Caller = "anonymous" | Role;
const CALLERS: Caller[] = ["anonymous", "admin", "manager", "clerk", "customer"];

/** Operations (or some callers of them) the fuzz leaves alone, and why — printed with the summary. */
const EXCLUDED: { op: string; callers: Caller[]; why: string }[] = [
  {
    op: "POST /api/identity/admin/signing-keys/rotate",
    callers: ["admin"],
    why: "a second rotation retires the key that signed every live session, the other files' included",
  },
];

/**
 * Operations on the caller's own account, sent with the token of an account the fuzz registers
 * instead of a demo account's: PATCH /me for every role (a wrong current password counts against
 * the account's login throttle: five, and the demo account is locked out for the other files), and
 * the demo customer's cart and orders (the other files find them as the demo made them).
 */
const OWN_ACCOUNT_FOR: Record<string, Caller[]> = {
  "PATCH /api/identity/me": ["admin", "manager", "clerk", "customer"],
  "POST /api/cart/carts": ["customer"],
  "POST /api/cart/carts/{id}/associate": ["customer"],
  "POST /api/orders/checkout": ["customer"],
};

/**
 * Body fields of a write that may name a demo object (a store to count stock in, the category of a
 * new product): nothing in the demo object changes. Never a category's `parentId` (a demo leaf
 * category with a child could no longer take products), never a path parameter.
 */
const SHARED_FOR_WRITES = new Set(["locationId", "fromLocationId", "toLocationId", "pickupLocationId", "categoryId"]);
/** Answers filed under another collection than their path says. */
const FILED_UNDER: Record<string, string> = {
  "/api/orders/checkout": "orders",
  "/api/cart/me": "carts",
  "/api/identity/me": "users",
};
/** List wrappers and trees: their objects belong to the enclosing collection. */
const SAME_COLLECTION = new Set(["data", "items", "children"]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Traces of internals an answer must never carry: stack frames, file paths, SQL and its errors. */
const INTERNALS: RegExp[] = [
  /\bat (?:async )?[\w$.<>[\]]+ \((?:file:|node:|\/)/,
  /node_modules/,
  /\/(?:work|home|usr|opt|app|srv)\/[\w.-]+\//,
  /\.(?:ts|js|mjs|cjs):\d+:\d+/,
  /"stack"\s*:/,
  /syntax error at or near|violates (?:unique|foreign key|check|not-null) constraint|duplicate key value/i,
  /invalid input syntax for|relation "[^"]+" does not exist|column "[^"]+" (?:of relation "[^"]+" )?does not exist/i,
  /invalid byte sequence for encoding|value too long for type|out of range for type|null value in column/i,
  /\b(?:SELECT\s+[\w*,\s."]+\s+FROM|INSERT\s+INTO|UPDATE\s+"?\w+"?\s+SET|DELETE\s+FROM)\b/,
];

// ---------------------------------------------------------------------------------------------

/** Ids seen in answers, by collection: all of them for reads, the fuzz's own for writes. */
class Seen {
  private readonly all = new Map<string, Set<string>>();
  private readonly own = new Map<string, Set<string>>();
  /** Guest carts' tokens, by cart id. */
  readonly secrets = new Map<string, string>();

  add(collection: string, id: string, own: boolean): void {
    const add = (m: Map<string, Set<string>>) =>
      (m.get(collection) ?? m.set(collection, new Set()).get(collection)!).add(id);
    add(this.all);
    if (own) add(this.own);
  }

  ids(collection: string, forWrite: boolean, field?: string): string[] {
    const source = forWrite && !(field && SHARED_FOR_WRITES.has(field)) ? this.own : this.all;
    return [...(source.get(collection) ?? [])].sort().slice(0, 50);
  }

  sizes(): string {
    return [...this.all].map(([c, ids]) => `${c}: ${ids.size} (${this.own.get(c)?.size ?? 0} own)`).join(", ");
  }
}

const segmentsOf = (path: string) => path.split("/").filter(Boolean);

/** The collection an operation's answer is filed under: the literal before its last path parameter, or its last literal. */
function collectionOf(op: Operation): string {
  if (FILED_UNDER[op.path]) return FILED_UNDER[op.path]!;
  const segments = segmentsOf(op.path);
  for (let i = segments.length - 1; i > 0; i--) if (segments[i]!.startsWith("{")) return segments[i - 1]!;
  return segments[segments.length - 1]!;
}

function collectionsOf(operations: Operation[]): string[] {
  const names = new Set<string>();
  for (const op of operations) {
    names.add(collectionOf(op));
    const segments = segmentsOf(op.path);
    segments.forEach((s, i) => s.startsWith("{") && i > 0 && names.add(segments[i - 1]!));
  }
  return [...names].filter((n) => n.length > 3 && !n.startsWith("{") && n !== "admin");
}

function harvest(seen: Seen, op: Operation, answer: Answer): void {
  if (answer.status < 200 || answer.status >= 300 || !answer.body || typeof answer.body !== "object") return;
  // What a POST created (201) is the fuzz's own: its writes may name it.
  const own = op.method === "POST" && answer.status === 201;
  const walk = (node: unknown, collection: string, depth: number) => {
    if (depth > 5 || !node || typeof node !== "object") return;
    if (Array.isArray(node)) return node.forEach((item) => walk(item, collection, depth + 1));
    const record = node as Record<string, unknown>;
    if (typeof record.id === "string" && UUID.test(record.id)) {
      seen.add(collection, record.id, own);
      if (own && typeof record.token === "string") seen.secrets.set(record.id, record.token);
    }
    for (const [key, value] of Object.entries(record)) {
      if (Array.isArray(value)) walk(value, SAME_COLLECTION.has(key) ? collection : key, depth + 1);
    }
  };
  walk(answer.body, collectionOf(op), 0);
}

/** 0: lists and searches; 1: writes to collections (creations); 2: an object's reads and writes; 3: deletions. */
function phaseOf(op: Operation): number {
  const named = op.params.some((p) => p.in === "path");
  if (!named) return op.method === "GET" ? 0 : 1;
  return op.method === "DELETE" ? 3 : 2;
}

/** A stable seed per operation and caller, from the run's seed. */
function seedFor(...parts: string[]): number {
  let h = 2166136261 ^ SEED;
  for (const ch of parts.join("|")) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

/** Longer than the gateway's upstream timeout (10 s): past it, nobody is going to answer. */
const ANSWER_WITHIN_MS = 12_000;

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const clip = (s: string, n = 240) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

function bodyText(c: FuzzCase): string | undefined {
  if (!c.body) return undefined;
  return "json" in c.body ? JSON.stringify(c.body.json) : c.body.text;
}

// ---------------------------------------------------------------------------------------------

interface Failure {
  group: string;
  example: string;
}

const stats = {
  requests: 0,
  byStatus: new Map<string, number>(),
  verdicts: { valid: 0, invalid: 0, unjudged: 0 },
  accepted: { valid: 0, invalid: 0 },
  /** Operations that answered 429, with the problem's code. */
  limited: new Set<string>(),
  /** Operations that answered 2xx at least once. */
  succeeded: new Set<string>(),
  /** Answers by status, per operation (printed with FUZZ_VERBOSE=1). */
  perOperation: new Map<string, Map<number, number>>(),
  excluded: [] as string[],
  guarded: 0,
  slow: [] as { ms: number; what: string }[],
  started: 0,
};

describe("fuzz: every documented operation, valid and invalid inputs, every caller", () => {
  let operations: Operation[] = [];
  let collections: string[] = [];
  const seen = new Seen();
  const tokens = new Map<Caller, string | undefined>();
  let ownAccount = "";

  beforeAll(async () => {
    stats.started = Date.now();
    operations = (await loadOperations(HOME)).filter((op) => !ONLY || op.key.includes(ONLY));
    collections = collectionsOf(operations);
    tokens.set("anonymous", undefined);
    for (const role of ["admin", "manager", "clerk", "customer"] as const) tokens.set(role, await token(role, HOME));
    ownAccount = (await newCustomer(HOME)).token;
    await createOwnObjects();
  });

  /**
   * A few objects of the fuzz's own, made the way a back office would, so that operations on one
   * object (its variants, price, stock, a cart holding it, a checkout) get past "not found" with
   * valid-looking inputs: a category, an active product with two variants, stock of one in a demo
   * store, a guest cart holding it. Random inputs rarely make these (a compare-at price must exceed
   * the price, a stock movement names a type…).
   */
  async function createOwnObjects(): Promise<void> {
    const admin = tokens.get("admin");
    const made = async (method: string, path: string, body?: unknown, options: CallOptions = { token: admin }) => {
      const res = await call(method, path, { ...options, body, from: HOME });
      expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
      return res.body;
    };
    const tag = `fuzz-${SEED}-${Date.now().toString(36)}`;
    const category = await made("POST", "/api/catalog/categories", { name: `Fuzz ${SEED}`, slug: tag });
    seen.add("categories", category.id, true);
    const product = await made("POST", "/api/catalog/products", {
      categoryId: category.id,
      name: `Fuzz product ${SEED}`,
      status: "active",
      variants: [
        { sku: `${tag}-A`, price: 1500, compareAtPrice: 2000 },
        { sku: `${tag}-B`, price: 990 },
      ],
    });
    seen.add("products", product.id, true);
    for (const variant of product.variants) seen.add("variants", variant.id, true);
    const [store] = (await made("GET", "/api/inventory/locations")).data;
    const variantId = product.variants[0].id;
    // Inventory learns of the variant from catalog's event: until then, 404 variant_not_found.
    await vi.waitFor(
      () =>
        made("POST", "/api/inventory/stock/adjust", {
          variantId,
          locationId: store.id,
          changeQuantity: 50,
          type: "receipt",
        }),
      { timeout: 10_000, interval: 200 },
    );
    const cart = await made("POST", "/api/cart/carts", undefined, {});
    seen.add("carts", cart.id, true);
    seen.secrets.set(cart.id, cart.token);
    // The cart learns of the variant from catalog's event too.
    await vi.waitFor(
      () =>
        made(
          "POST",
          `/api/cart/carts/${cart.id}/items`,
          { variantId, quantity: 1 },
          {
            headers: { "x-cart-token": cart.token },
          },
        ),
      { timeout: 10_000, interval: 200 },
    );
  }

  afterAll(() => {
    const seconds = ((Date.now() - stats.started) / 1000).toFixed(1);
    const statuses = [...stats.byStatus].sort().map(([s, n]) => `${s}: ${n}`);
    console.log(
      [
        `fuzz: seed ${SEED} (replay: FUZZ_SEED=${SEED}), ${RUNS} inputs per operation and caller`,
        `fuzz: ${stats.requests} requests in ${seconds} s over ${operations.length} operations × ${CALLERS.length} callers`,
        `fuzz: answers ${statuses.join(", ")}; not sent to a caller a guard turned away: ${stats.guarded}`,
        `fuzz: 429 from ${[...stats.limited].join(", ") || "none"}`,
        `fuzz: ${stats.succeeded.size} of ${operations.length} operations answered 2xx at least once` +
          (process.env.FUZZ_VERBOSE
            ? `; never: ${operations
                .filter((o) => !stats.succeeded.has(o.key))
                .map((o) => o.key)
                .join(", ")}`
            : " (FUZZ_VERBOSE=1 lists the others)"),
        `fuzz: inputs valid ${stats.verdicts.valid} (${stats.accepted.valid} accepted), invalid ${stats.verdicts.invalid} (${stats.accepted.invalid} accepted), unjudged ${stats.verdicts.unjudged}`,
        `fuzz: ids seen ${seen.sizes()}`,
        ...stats.excluded.map((e) => `fuzz: not sent: ${e}`),
        ...(process.env.FUZZ_VERBOSE
          ? [...stats.perOperation].map(
              ([key, tally]) => `fuzz: ${key}: ${[...tally].map(([status, n]) => `${status}×${n}`).join(" ")}`,
            )
          : []),
        ...stats.slow
          .sort((a, b) => b.ms - a.ms)
          .slice(0, 10)
          .map((s) => `fuzz: slow (${s.ms} ms): ${s.what}`),
      ].join("\n"),
    );
  });

  function casesFor(op: Operation, caller: Caller): FuzzCase[] {
    const forWrite = op.method !== "GET";
    const ctx = {
      ids: seen,
      forWrite,
      collections,
      pathIds: (o: Operation, p: Parameter) => {
        const collection = p.name === "id" ? collectionBefore(o, p) : collectionFor(p.name, collections);
        return collection ? seen.ids(collection, forWrite) : [];
      },
      headerFor: (_o: Operation, p: Parameter, path: Record<string, string>) =>
        p.name === "x-cart-token" && path.id ? seen.secrets.get(path.id) : undefined,
    };
    return fc.sample(caseArb(op, ctx), { seed: seedFor(op.key, caller), numRuns: RUNS });
  }

  /** Sends one case and checks the answer; returns the status (0: no answer). */
  async function send(op: Operation, caller: Caller, c: FuzzCase, failures: Failure[]): Promise<number> {
    const verdict: Verdict = judge(op, c);
    stats.verdicts[verdict.verdict]++;
    const headers: Record<string, string> = { ...c.headers };
    if (c.body && "text" in c.body) headers["content-type"] = c.body.contentType ?? "application/json";
    const url = urlOf(op, c);
    const auth = OWN_ACCOUNT_FOR[op.key]?.includes(caller) ? ownAccount : tokens.get(caller);
    const describeCase = (answer?: Answer, note?: string) =>
      [
        `${caller} ${op.method} ${clip(url, 200)} [${c.kind}] (${verdict.verdict}${"why" in verdict ? `: ${verdict.why}` : ""})`,
        Object.keys(c.headers).length ? `  headers: ${clip(JSON.stringify(c.headers), 200)}` : "",
        bodyText(c) !== undefined ? `  body: ${clip(bodyText(c)!)}` : "",
        answer ? `  → ${answer.status} ${answer.headers.get("content-type") ?? ""} ${clip(answer.text, 400)}` : "",
        note ? `  ${clip(note, 300)}` : "",
        `  (replay: FUZZ_SEED=${SEED} FUZZ_OP="${op.key}")`,
      ]
        .filter(Boolean)
        .join("\n");
    let answer: Answer;
    const started = Date.now();
    const n = stats.requests++;
    try {
      answer = await withDeadline(
        call(op.method, url, { token: auth, headers, body: bodyText(c), from: from(n) }),
        ANSWER_WITHIN_MS,
      );
    } catch (error) {
      failures.push({ group: `${op.key}: no answer (${String(error)})`, example: describeCase() });
      return 0;
    }
    const ms = Date.now() - started;
    if (ms > 1000)
      stats.slow.push({ ms, what: `${caller} ${op.method} ${clip(url, 100)} [${c.kind}] → ${answer.status}` });
    const status = answer.status;
    const cls = `${Math.floor(status / 100)}xx`;
    stats.byStatus.set(String(status), (stats.byStatus.get(String(status)) ?? 0) + 1);
    if (status === 429) stats.limited.add(`${op.key} (${answer.body?.code})`);
    if (cls === "2xx") stats.succeeded.add(op.key);
    const tally = stats.perOperation.get(op.key) ?? stats.perOperation.set(op.key, new Map()).get(op.key)!;
    tally.set(status, (tally.get(status) ?? 0) + 1);
    const fail = (what: string, note?: string) =>
      failures.push({ group: `${op.key}: ${what}`, example: describeCase(answer, note) });
    if (status >= 500) fail(`answered ${status}`);
    if (status >= 400) {
      try {
        expectProblem(answer);
      } catch (error) {
        fail(`${status} fails expectProblem`, String(error).split("\n")[0]);
      }
    }
    const leak = INTERNALS.find((re) => re.test(answer.text));
    if (leak) fail(`${cls} shows internals (${leak})`);
    if (cls === "2xx" && verdict.verdict !== "unjudged") stats.accepted[verdict.verdict]++;
    if (cls === "2xx" && verdict.verdict === "invalid")
      fail(`accepted an invalid input [${c.kind.replace(/\(.*$/, "")}]`);
    harvest(seen, op, answer);
    return status;
  }

  /**
   * One caller's cases for one operation, in order. When the first GUARD_PROBES all answer 401 or
   * 403 whatever the input, the caller is turned away before anything else runs: the rest would
   * only meet the same guard, and are counted instead of sent.
   */
  async function sendAll(op: Operation, caller: Caller, cases: FuzzCase[], failures: Failure[]): Promise<void> {
    const statuses: number[] = [];
    for (const [i, c] of cases.entries()) {
      if (i >= GUARD_PROBES && statuses.every((s) => s === 401 || s === 403)) {
        stats.guarded += cases.length - i;
        return;
      }
      statuses.push(
        await send(op, caller, c, failures).catch((error) => {
          failures.push({ group: `${op.key}: the fuzz itself failed (${String(error)})`, example: c.kind });
          return 0;
        }),
      );
    }
  }

  function collectionBefore(op: Operation, p: Parameter): string | undefined {
    const segments = segmentsOf(op.path);
    const i = segments.indexOf(`{${p.name}}`);
    return i > 0 ? segments[i - 1] : undefined;
  }

  async function fuzzService(service: Service): Promise<void> {
    const failures: Failure[] = [];
    const mine = operations.filter((op) => op.service === service);
    for (const phase of [0, 1, 2, 3]) {
      // Made when the phase starts: its ids are those the earlier phases (and services) answered with.
      const groups: { op: Operation; caller: Caller; cases: FuzzCase[] }[] = [];
      for (const op of mine.filter((o) => phaseOf(o) === phase)) {
        for (const caller of CALLERS) {
          const excluded = EXCLUDED.find((e) => e.op === op.key && e.callers.includes(caller));
          if (excluded) stats.excluded.push(`${op.key} as ${caller}: ${excluded.why}`);
          else groups.push({ op, caller, cases: casesFor(op, caller) });
        }
      }
      await pool(groups, CONCURRENCY, ({ op, caller, cases }) => sendAll(op, caller, cases, failures));
    }
    const byGroup = new Map<string, string[]>();
    for (const f of failures) (byGroup.get(f.group) ?? byGroup.set(f.group, []).get(f.group)!).push(f.example);
    const report = [...byGroup].map(
      ([group, examples]) => `${group} — ${examples.length}×, e.g.\n${examples.slice(0, 2).join("\n")}`,
    );
    expect(report, `seed ${SEED}`).toEqual([]);
  }

  for (const service of SERVICES) {
    it(`${service}: no 5xx, 4xx are problems with a code, nothing internal shows, nothing invalid is accepted`, async () => {
      await fuzzService(service);
    }, 60_000);
  }
});
