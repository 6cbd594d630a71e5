// `npm run bench:catalog`: the catalog's two hot reads through the gateway at 100 connections, on a
// catalog of 100,000 products / 300,000 variants.
//
// It boots the platform in demo mode (embedded PostgreSQL, or the server of --database-url), bulk
// loads the products straight into the catalog's database with generate_series (a few seconds; the
// rows bypass the outbox, so no other service hears of them), then runs wrk against:
//   - GET /api/catalog/products/:id          rotating over 5,000 ids (Lua script)
//   - GET /api/catalog/products?page=N&limit=20   rotating over pages 1..50
// as an anonymous shopper (active products only), and prints req/s, p50 and p99 — through the
// gateway (the aim; anonymous product reads are shareable for 2 s, so part of them is answered by
// the gateway's shared cache, whose hit ratio is printed), through the gateway with the cache
// bypassed (Cache-Control: no-cache: every request reaches the catalog), then straight to the
// catalog instance (what the proxy hop costs).
//
// Options: --seconds N (default 10), --products N (default 100000), --database-url postgres://…
// (a server for every service's database instead of the embedded one).
// On two cores wrk, the gateway, the catalog and PostgreSQL share the CPU.
//
// What makes the reads cheap (services/catalog): each product's API JSON is stored with it
// (products.document, rewritten by every write in its transaction) and sent as is; a page picks its
// 20 ids on the (status, created_at, id) index, then reads 20 documents; the hot statements are
// prepared once per connection. The page's `total` is not counted per request: each instance keeps
// a filter's count for PRODUCTS_TOTAL_CACHE_MS (5 s; counting 95k rows costs ~100 ms), and a public
// page for PRODUCTS_PAGE_CACHE_MS (1 s); an instance's own writes clear both.
import { execFileSync, spawnSync } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startPlatform } from "./support/platform.mjs";

function option(args, name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
}

/** wrk's latency figure ("812.00us", "1.20ms", "2.01s") in milliseconds. */
function ms(text) {
  const match = /^([\d.]+)(us|ms|s)$/.exec(text ?? "");
  if (!match) return NaN;
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
}

function wrk(base, script, seconds, connections = 100) {
  const out = execFileSync("wrk", ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency", "-s", script, base], {
    encoding: "utf8",
  });
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50: ms(/\s50%\s+([\d.]+\w+)/.exec(out)?.[1]),
    p99: ms(/\s99%\s+([\d.]+\w+)/.exec(out)?.[1]),
    errors: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    socketErrors: /Socket errors: (.*)/.exec(out)?.[1],
  };
}

/** A wrk script that requests `paths` in turn (with `Cache-Control: no-cache` when `bypassCache`). */
function rotatingScript(paths, bypassCache = false) {
  return `local paths = {\n${paths.map((p) => `  "${p}",`).join("\n")}\n}
local headers = ${bypassCache ? '{ ["Cache-Control"] = "no-cache" }' : "{}"}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1], headers)
end
`;
}

/** The gateway's shared-cache counters for catalog: { hit, miss }. */
async function cacheCounts(base) {
  const text = await fetch(`${base}/metrics`).then((r) => r.text());
  const count = (result) =>
    Number(
      new RegExp(`^gateway_cache_requests_total\\{[^}]*result="${result}"[^}]*\\} (\\d+)`, "m").exec(text)?.[1] ?? 0,
    );
  return { hit: count("hit"), miss: count("miss") };
}

const row = (label, r, aim) =>
  `  ${label.padEnd(22)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${r.p50.toFixed(2).padStart(7)} ms   p99 ${r.p99
    .toFixed(2)
    .padStart(
      7,
    )} ms   non-2xx ${r.errors}${r.socketErrors ? `   socket errors: ${r.socketErrors}` : ""}   (aim ≥ ${aim} req/s, p99 < 50 ms)`;

/** The catalog's database: the platform's event log URL (runtime.json) with `_catalog` for `_events`. */
async function catalogDatabaseUrl(dataDir) {
  // The launcher writes it just after the gateway reports ready.
  let runtime;
  for (let attempt = 0; !runtime; attempt++) {
    try {
      runtime = JSON.parse(await readFile(join(dataDir, "runtime.json"), "utf8"));
    } catch (error) {
      if (attempt > 100) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!runtime.eventLogUrl) throw new Error("runtime.json has no eventLogUrl: cannot find the catalog's database");
  const url = new URL(runtime.eventLogUrl);
  url.pathname = url.pathname.replace(/_events$/, "_catalog");
  return url.toString();
}

async function api(base, token, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** 20 leaf categories under "Banc d'essai", then `total` products with 3 variants each, in one transaction. */
async function load(client, leafIds, total) {
  const started = performance.now();
  await client.query("BEGIN");
  await client.query(
    `INSERT INTO products (id, category_id, name, slug, description, brand, attributes, status, created_at, updated_at)
     SELECT md5('bench-product-' || g)::uuid,
            ($1::uuid[])[1 + g % array_length($1::uuid[], 1)],
            (ARRAY['T-shirt', 'Pull', 'Robe', 'Chemise', 'Bougie', 'Plaid', 'Confiture', 'Café'])[1 + g % 8]
              || ' modèle ' || g,
            'banc-' || g,
            'Article de test de charge numéro ' || g || '.',
            (ARRAY['Atelier Garance', 'Maison Lou', 'Les Tisserands', 'Brin d''Olive'])[1 + g % 4],
            '{"origine": "France"}'::jsonb,
            CASE WHEN g % 20 = 0 THEN 'draft' ELSE 'active' END,
            now() - make_interval(secs => $2::int - g),
            now() - make_interval(secs => $2::int - g)
       FROM generate_series(1, $2::int) g`,
    [leafIds, total],
  );
  await client.query(
    `INSERT INTO variants (id, product_id, sku, options, price, compare_at_price, currency, barcode, position)
     SELECT md5('bench-variant-' || g || '-' || k)::uuid, md5('bench-product-' || g)::uuid,
            'BANC-' || g || '-' || (ARRAY['S', 'M', 'L'])[k],
            jsonb_build_object('taille', (ARRAY['S', 'M', 'L'])[k]),
            990 + (g % 90) * 100, CASE WHEN g % 7 = 0 THEN 990 + (g % 90) * 100 + 500 END, 'EUR',
            '2' || lpad((g * 3 + k)::text, 12, '0'), k - 1
       FROM generate_series(1, $1::int) g, generate_series(1, 3) k`,
    [total],
  );
  // Each product's API document (what the reads send), as the catalog's writes keep it.
  await client.query("UPDATE products p SET document = product_document(p.id) WHERE p.document IS NULL");
  await client.query("COMMIT");
  await client.query("VACUUM ANALYZE products");
  await client.query("VACUUM ANALYZE variants");
  return (performance.now() - started) / 1000;
}

async function dropDatabases(serverUrl, prefix) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [prefix]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export async function run(args) {
  if (spawnSync("wrk", ["--version"]).error) {
    console.error("wrk is not installed: apt-get install -y wrk");
    process.exit(2);
  }
  const seconds = Number(option(args, "--seconds", 10));
  const total = Number(option(args, "--products", 100_000));
  const databaseUrl = option(args, "--database-url", "");
  const dataDir = await mkdtemp(join(tmpdir(), "comptoir-bench-"));
  await chmod(dataDir, 0o755);
  const env = { LOG_LEVEL: "warn", RATE_LIMIT_USER: "1000000000", RATE_LIMIT_ANONYMOUS: "1000000000" };
  const base = `comptoir_bench_${Date.now()}`;
  if (databaseUrl) {
    // A fresh set of databases on that server (<base>_catalog, …), dropped after the run.
    const url = new URL(databaseUrl);
    url.pathname = `/${base}`;
    env.DATABASE_URL = url.toString();
  }
  const platform = await startPlatform(dataDir, [], env);
  let client;
  try {
    client = new pg.Client({ connectionString: await catalogDatabaseUrl(dataDir) });
    console.log(`platform ready in ${platform.seconds.toFixed(1)} s`);
    const login = await fetch(`${platform.base}/api/identity/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@demo.comptoir.dev", password: "comptoir-demo" }),
    });
    if (login.status !== 200) throw new Error(`demo admin login: HTTP ${login.status} ${await login.text()}`);
    const { token } = await login.json();

    const root = await api(platform.base, token, "POST", "/api/catalog/categories", { name: "Banc d'essai" });
    const leafIds = [];
    for (let i = 1; i <= 20; i++) {
      const leaf = await api(platform.base, token, "POST", "/api/catalog/categories", {
        name: `Banc ${i}`,
        parentId: root.id,
      });
      leafIds.push(leaf.id);
    }
    await client.connect();
    const loadSeconds = await load(client, leafIds, total);
    const counts = (
      await client.query(
        "SELECT (SELECT count(*) FROM products)::int AS products, (SELECT count(*) FROM variants)::int AS variants",
      )
    ).rows[0];
    console.log(
      `loaded ${total.toLocaleString("en")} products / ${(3 * total).toLocaleString("en")} variants in ` +
        `${loadSeconds.toFixed(1)} s (catalog now holds ${counts.products} products, ${counts.variants} variants)`,
    );

    const { rows } = await client.query(
      "SELECT id FROM products WHERE status = 'active' AND slug LIKE 'banc-%' ORDER BY random() LIMIT 5000",
    );
    const byIdPaths = rows.map((r) => `/api/catalog/products/${r.id}`);
    const pagePaths = Array.from({ length: 50 }, (_, i) => `/api/catalog/products?page=${i + 1}&limit=20`);
    const scripts = {};
    for (const bypass of [false, true]) {
      const suffix = bypass ? "-no-cache" : "";
      scripts[`byId${suffix}`] = join(dataDir, `by-id${suffix}.lua`);
      scripts[`page${suffix}`] = join(dataDir, `page${suffix}.lua`);
      await writeFile(scripts[`byId${suffix}`], rotatingScript(byIdPaths, bypass));
      await writeFile(scripts[`page${suffix}`], rotatingScript(pagePaths, bypass));
    }
    const sample = await fetch(`${platform.base}/api/catalog/products?page=1&limit=20`).then((r) => r.json());
    console.log(`a page of 20: ${sample.data.length} products, total ${sample.pagination.total}`);

    const catalog = platform.health.services.catalog.instances[0].url;
    for (const [label, base, suffix] of [
      ["through the gateway (its shared cache on: s-maxage=2)", platform.base, ""],
      ["through the gateway, shared cache bypassed (Cache-Control: no-cache)", platform.base, "-no-cache"],
      ["straight to the catalog instance (for comparison)", catalog, ""],
    ]) {
      console.log(`\n${label}, anonymous, wrk -t1 -c100 -d${seconds}s (after a 3 s warm-up each)`);
      for (const [name, script, aim] of [
        ["product by id", scripts[`byId${suffix}`], 3000],
        ["page of 20 (pages 1-50)", scripts[`page${suffix}`], 1500],
      ]) {
        wrk(base, script, 3);
        const before = await cacheCounts(platform.base);
        const result = wrk(base, script, seconds);
        const after = await cacheCounts(platform.base);
        const hits = after.hit - before.hit;
        const misses = after.miss - before.miss;
        const ratio = hits + misses > 0 ? `   cache hits ${((100 * hits) / (hits + misses)).toFixed(0)} %` : "";
        console.log(row(name, result, aim) + ratio);
      }
    }
  } finally {
    await client?.end().catch(() => {});
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
    if (databaseUrl) await dropDatabases(databaseUrl, base);
  }
}
