// `npm run bench:retail`: till sales through the gateway (issue 18's proof).
//
// It boots the platform as `npm start` does (demo mode, embedded PostgreSQL), then, as the demo admin,
// creates --tills (30) registers in demo store 1, a product with plenty of stock at the store's
// location, and opens every register as the store's demo clerk. Each sale is one line (1 unit at
// 19.90) paid in cash with 20.00 (10 cents of change), with its own Idempotency-Key, by the clerk:
// the whole sale saga (reserve at the store's location, commit, receipt number, journal entry, event).
//   1. paced        --rate (30) sales/s in all, spread evenly over the tills (open loop: a sale leaves
//                   on time whether or not the previous one has answered), for --seconds (20):
//                   p50/p95/p99 of the sale call over every attempt (2xx-only beside).
//   2. saturation   every till sells as fast as it can (closed loop) for --seconds: sales/s.
// Then the CPU each sale cost per process (where the time goes), measured over the saturation phase.
// With npm start's rate limits the clerk gets 5,000 requests an hour, so the sales are soon answered
// 429: `--rate-limits=off` measures what the services can serve.
// On two cores the load generator, the gateway, eleven services and PostgreSQL share the CPU.
// Options: --tills N, --rate N, --seconds N, --warmup N (seconds at saturation first, default 10), and
// bench/support/bench.mjs's.
import { randomUUID } from "node:crypto";
import { Pool } from "undici";
import {
  differences,
  fixed,
  formatSummary,
  isOk,
  judged,
  parseOptions,
  printHeader,
  summarize,
  Verdict,
} from "./support/bench.mjs";
import { adminToken, expect2xx, PLATFORM_NOTES, SHARED_NOTE, usePlatform } from "./support/platform.mjs";

const PRICE = 1990;
const CASH_GIVEN = 2000;
const CLERK = "clerk@demo.comptoir.dev";
const DEMO_PASSWORD = "comptoir-demo";
/** Demo store 1 (packages/contracts/src/demo.ts, DEMO_STORES[0]): the demo clerk's store. */
const STORE_CODE = "STORE-1";

/** One JSON call through the pool: status, body and milliseconds. */
async function call(pool, method, path, { body, headers = {} } = {}) {
  const started = performance.now();
  try {
    const res = await pool.request({
      method,
      path,
      headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.body.text();
    return {
      status: res.statusCode,
      body: text && String(res.headers["content-type"]).includes("json") ? JSON.parse(text) : text,
      ms: performance.now() - started,
    };
  } catch (error) {
    // No answer (refused, reset, timed out): status 0, an error like any non-2xx.
    return { status: 0, body: { code: error.code ?? error.message }, ms: performance.now() - started };
  }
}

/**
 * Demo store 1, `tills` new registers in it, each with an open session (the clerk's), and a product with
 * a million units at the store's location.
 */
async function setUp(base, tills) {
  const admin = await adminToken(base);
  const clerk = (
    await expect2xx(base, "POST", "/api/identity/login", { body: { email: CLERK, password: DEMO_PASSWORD } })
  ).token;
  const stores = await expect2xx(base, "GET", "/api/retail/stores?limit=100", { token: admin });
  const store = stores.data.find((s) => s.code === STORE_CODE);
  if (!store) throw new Error(`set-up: no store ${STORE_CODE} in the demo data`);
  const run = Date.now().toString(36);
  const category = await expect2xx(base, "POST", "/api/catalog/categories", {
    token: admin,
    body: { name: `Banc caisse ${run}` },
  });
  const product = await expect2xx(base, "POST", "/api/catalog/products", {
    token: admin,
    body: {
      categoryId: category.id,
      name: "Savon du banc",
      status: "active",
      variants: [{ sku: `BENCH-TILL-${run}`, options: { parfum: "lavande" }, price: PRICE }],
    },
  });
  const variantId = product.variants[0].id;
  // Inventory learns the variant from catalog's event a moment later.
  for (let i = 0; ; i++) {
    try {
      await expect2xx(base, "POST", "/api/inventory/stock/adjust", {
        token: admin,
        body: { variantId, locationId: store.locationId, changeQuantity: 1_000_000, type: "receipt", reason: "bench" },
      });
      break;
    } catch (error) {
      if (i > 100) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const registerIds = [];
  for (let i = 0; i < tills; i++) {
    const register = await expect2xx(base, "POST", `/api/retail/stores/${store.id}/registers`, {
      token: admin,
      body: { code: `B${run}-${i + 1}`.slice(0, 20), name: `Caisse du banc ${i + 1}` },
    });
    await expect2xx(base, "POST", `/api/retail/registers/${register.id}/open`, {
      token: clerk,
      body: { openingFloat: 20_000 },
    });
    registerIds.push(register.id);
  }
  return { clerk, variantId, registerIds };
}

/** One sale at a till: 1 unit, paid 20.00 in cash. */
function sell(pool, setup, till) {
  return call(pool, "POST", "/api/retail/sales", {
    headers: { authorization: `Bearer ${setup.clerk}`, "idempotency-key": randomUUID() },
    body: {
      registerId: setup.registerIds[till],
      lines: [{ variantId: setup.variantId, quantity: 1 }],
      tenders: [{ method: "cash", amount: CASH_GIVEN }],
    },
  });
}

/** `rate` sales a second in all, each till in turn, every sale on time (open loop), for `seconds`. */
async function pacedPhase(base, setup, rate, seconds) {
  const tills = setup.registerIds.length;
  const pool = new Pool(base, { connections: tills * 2 });
  const records = [];
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const sales = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    // Timed from when the sale was due: a late start (the load generator's own lag) counts against us.
    sales.push(
      sell(pool, setup, i % tills).then((res) => {
        records.push({ status: res.status, ms: performance.now() - due, code: res.body?.code });
      }),
    );
  }
  await Promise.all(sales);
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return figures(records, elapsed);
}

/** Every till sells as fast as it can (closed loop) for `seconds`. */
async function saturationPhase(base, setup, seconds) {
  const tills = setup.registerIds.length;
  const pool = new Pool(base, { connections: tills });
  const records = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: tills }, async (_, till) => {
      while (performance.now() < deadline) {
        const res = await sell(pool, setup, till);
        records.push({ status: res.status, ms: res.ms, code: res.body?.code });
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  return figures(records, elapsed);
}

/** summarize()'s figures, and how many failed sales answered each problem code (so that a MISS says why). */
function figures(records, seconds) {
  const codes = new Map();
  for (const r of records) {
    if (isOk(r.status)) continue;
    const code = `${r.status} ${r.code ?? ""}`.trim();
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
  return Object.assign(summarize(records, seconds), { codes });
}

function printCodes(s) {
  if (s.codes.size) console.log(`  failed sales: ${[...s.codes].map(([code, n]) => `${code} × ${n}`).join(", ")}`);
}

export async function run(args, shared = {}) {
  const options = parseOptions(args, { numbers: { seconds: 20, tills: 30, rate: 30, warmup: 10 } });
  // Smoke: 2 s of warm-up, then 2 phases of 4 s.
  const seconds = options.smoke ? 4 : options.seconds;
  const warmup = options.smoke ? 2 : options.warmup;
  const { tills, rate } = options;
  printHeader({
    title: "retail: till sales through the gateway (one line, cash with change), at a fixed rate then at saturation",
    aim: `p95 < 50 ms over every sale at ${rate} sales/s; ≥ 150 sales/s at saturation; errors < 1 %`,
    source: "issue 18 (stores and point of sale), Proof: npm run bench:retail",
    options,
    differs: differences(options.env, [...PLATFORM_NOTES, ...(shared.platform ? [SHARED_NOTE] : [])]),
    load:
      `${tills} registers of demo store 1, each with an open session, selling as its demo clerk; ` +
      `${warmup} s of warm-up at saturation, then ${seconds} s at ${rate} sales/s (open loop) and ${seconds} s at saturation`,
  });
  const { platform, release } = await usePlatform(options.env, shared);
  const verdict = new Verdict();
  try {
    if (!shared.platform) console.log(`platform ready in ${platform.seconds.toFixed(1)} s`);
    const setup = await setUp(platform.base, tills);
    // Warm-up: every pool's connections opened and the hot code optimised before anything is measured.
    const warm = await saturationPhase(platform.base, setup, warmup);
    if (warm.ok === 0) {
      // Nothing sells: say why at once rather than measure failures.
      const pool = new Pool(platform.base);
      const probe = await sell(pool, setup, 0);
      await pool.close();
      throw new Error(
        `no sale succeeded in the warm-up; one more answers HTTP ${probe.status} ${JSON.stringify(probe.body)}`,
      );
    }

    const paced = await pacedPhase(platform.base, setup, rate, seconds);
    console.log(`paced: ${rate} sales/s over ${tills} tills for ${seconds} s (timed from when each sale was due)`);
    console.log(formatSummary("sale (attempts)", paced, "sale"));
    printCodes(paced);
    verdict.check(
      `p95 < 50 ms at ${rate} sales/s (every attempt)`,
      judged(paced, 95) < 50,
      `${fixed(judged(paced, 95))} ms (p50 ${fixed(judged(paced, 50))}, p99 ${fixed(judged(paced, 99))})`,
    );
    verdict.check(`errors < 1 % at ${rate} sales/s`, paced.errorRate < 0.01, `${fixed(100 * paced.errorRate, 2)} %`);

    const cpuBefore = platform.cpu();
    const saturated = await saturationPhase(platform.base, setup, seconds);
    const cpuAfter = platform.cpu();
    console.log(`\nsaturation: ${tills} tills selling as fast as they can for ${seconds} s`);
    console.log(formatSummary("sale (attempts)", saturated, "sale"));
    printCodes(saturated);
    verdict.check("≥ 150 sales/s at saturation (2xx)", saturated.okRps >= 150, `${fixed(saturated.okRps)} sales/s`);
    // Where the time goes: the platform's processes' CPU time over the phase divided by the sales made.
    const used = [...cpuAfter].map(([name, ms]) => [name, ms - (cpuBefore.get(name) ?? 0)]).sort((x, y) => y[1] - x[1]);
    const perSale = (ms) => (ms / Math.max(1, saturated.ok)).toFixed(1);
    if (saturated.ok === 0) console.log("  CPU per sale: no sale was made");
    else
      console.log(
        `  CPU per sale ${perSale(used.reduce((sum, [, ms]) => sum + ms, 0))} ms: ` +
          used
            .filter(([, ms]) => ms / Math.max(1, saturated.ok) >= 0.1)
            .map(([name, ms]) => `${name} ${perSale(ms)}`)
            .join(", "),
      );
  } finally {
    await release();
  }
  verdict.finish(options);
}
