// `npm run bench:search`: product search on 100,000 products / 300,000 variants (issue 19's proof).
//
// It boots the platform as `npm start` does, creates 4 root categories with 5 sub-categories each through
// the gateway (catalog's real events bring them to search), then generates the products straight into
// search's read model with SQL: search_products, search_variants and search_stock rows as search's own
// event handlers write them (db/products.repo.ts's upserts: one row per product, variant and
// (variant, location), stamped with an event instant and id), then calls the handlers' own derivation,
// refreshProducts (services/search/src/db/products.repo.ts, imported as is), in chunks of 5,000: the
// document, category path, prices, stock flags and typo vocabulary are therefore exactly what the
// handlers compute after each event. Going through catalog's and inventory's APIs and the event bus
// instead would take hours at this size; what this skips (the bus, the inbox, the upserts' staleness
// checks) is not on the read path measured here. One product is created through the gateway the real
// way: the freshness probe.
// Then (undici, closed loop, 50 connections), anonymously, through the gateway (the aim) then straight
// to the search instance (what the proxy hop costs):
//   - plain     GET /api/search/products?q=…   the relevance suite's queries and random catalog words
//   - faceted   the same with filters: category, brand, price range, in stock (online or at a store)
//   - typo      typo'd relevance queries and catalog words with two letters swapped
//   - suggest   GET /api/search/suggest?q=…    2 to 5 first letters of catalog words
// While the gateway phases run, the probe's price is changed through the gateway every second and search
// is polled (every 20 ms) until it shows the new price: freshness p50/p95 over those changes.
// With npm start's rate limits one address gets 1,000 anonymous requests an hour: `--rate-limits=off`
// measures what the services can serve.
//
// Options: --seconds N (default 10), --products N (default 100000), and bench/support/bench.mjs's.
// On two cores the load generator, the gateway, search, the other services and PostgreSQL share the CPU.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import {
  differences,
  fixed,
  formatSummary,
  judged,
  parseOptions,
  percentile,
  printHeader,
  Verdict,
} from "./support/bench.mjs";
import { load as loadHttp } from "./support/load.mjs";
import { PLATFORM_NOTES, SHARED_NOTE, adminToken, expect2xx, usePlatform } from "./support/platform.mjs";

const CONNECTIONS = 50;
const AIMS = { facetedRps: 1000, p95: 50, suggestP95: 20, freshnessP95: 2000 };

/** Product kinds of the generated catalog (names as shoppers type them, French and English). */
const NOUNS = [
  "Écran ordinateur",
  "Vélo électrique",
  "Chaussure running",
  "Robe d'été",
  "Téléviseur OLED",
  "Casque audio",
  "Wireless headphones",
  "Cafetière à piston",
  "Poêle en fonte",
  "Pull en laine mérinos",
  "Bottes de pluie",
  "Sandales",
  "Oreiller mémoire de forme",
  "Couteau de chef",
  "Clavier mécanique",
  "Enceinte bluetooth",
  "Mountain bike",
  "Trail running shoes",
  "Smart TV QLED",
  "Coque iPhone",
  "Haltères réglables",
  "Plaid",
  "Bougie parfumée",
  "Chemise en lin",
  "Table basse",
  "Lampe de bureau",
  "Sac à dos",
  "Montre connectée",
];
const ADJECTIVES = ["classique", "premium", "compact", "confort", "sport", "vintage", "urbain", "léger", "pro"];
const COLOURS = ["noir", "blanc", "rouge", "bleu marine", "vert olive", "gris", "beige", "rose"];
const BRANDS = ["Samsung", "Apple", "Nike", "Sézane", "Bose", "Le Creuset", "Decathlon", "Moulinex", "Ikea", "Lego"];
/** The relevance suite's queries (services/search/test/relevance.test.ts): plain, and typo'd. */
const SUITE_PLAIN = [
  "ecran",
  "ÉCRAN",
  "velo electrique",
  "poele",
  "cafetiere",
  "halteres",
  "pull merinos",
  "Sezane",
  "telephone",
  "chaussures",
  "robes",
  "bottes",
  "sandale",
  "oreillers",
  "couteaux",
  "headphone",
  "bikes",
  "running shoes",
  "television",
  "NIKE-PEG-42",
  "3401234567890",
];
const SUITE_TYPOS = [
  "chausure",
  "televison",
  "iphnoe pro",
  "iphnoe",
  "cafetiere pistn",
  "clavier mecanqiue",
  "enceinet bluetooth",
  "sansung",
  "headphnes",
];

/** The catalog's words, lower case and unaccented (what random queries and prefixes draw from). */
const WORDS = [
  ...new Set(
    [...NOUNS, ...ADJECTIVES, ...COLOURS, ...BRANDS]
      .join(" ")
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length >= 4),
  ),
];

/** A deterministic pseudo-random sequence (the same queries on every run). */
function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const pick = (rnd, list) => list[Math.floor(rnd() * list.length)];

/** Two adjacent letters swapped inside a word (never the first). */
function typo(word, rnd) {
  if (word.length < 5) return word;
  const i = 1 + Math.floor(rnd() * (word.length - 2));
  return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
}

/** The query strings of each kind of request, `count` of each. */
function queries({ categories, locations }, count) {
  const rnd = random(19);
  const plainText = () =>
    rnd() < 0.4 ? pick(rnd, SUITE_PLAIN) : rnd() < 0.5 ? pick(rnd, WORDS) : `${pick(rnd, WORDS)} ${pick(rnd, WORDS)}`;
  const qs = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined)).toString();
  const plain = [];
  const faceted = [];
  const typos = [];
  const suggest = [];
  for (let i = 0; i < count; i++) {
    plain.push(`/api/search/products?${qs({ q: plainText() })}`);
    const min = rnd() < 0.3 ? 1000 + Math.floor(rnd() * 40) * 100 : undefined;
    const store = rnd() < 0.3 ? pick(rnd, locations.stores) : undefined;
    faceted.push(
      `/api/search/products?${qs({
        q: rnd() < 0.5 ? plainText() : undefined,
        category: rnd() < 0.6 ? pick(rnd, categories) : undefined,
        brand: rnd() < 0.3 ? pick(rnd, BRANDS) : undefined,
        minPrice: min,
        maxPrice: min === undefined ? undefined : min + 3000,
        inStock: store || rnd() < 0.3 ? "true" : undefined,
        locationId: store,
      })}`,
    );
    typos.push(`/api/search/products?${qs({ q: rnd() < 0.4 ? pick(rnd, SUITE_TYPOS) : typo(pick(rnd, WORDS), rnd) })}`);
    const word = pick(rnd, WORDS);
    suggest.push(`/api/search/suggest?${qs({ q: word.slice(0, 2 + Math.floor(rnd() * 4)) })}`);
  }
  return { plain, faceted, typo: typos, suggest };
}

/** Search's database: the platform's event log URL (runtime.json) with `_search` for `_events`. */
async function searchDatabaseUrl(dataDir) {
  let runtime;
  for (let attempt = 0; !runtime; attempt++) {
    try {
      runtime = JSON.parse(await readFile(join(dataDir, "runtime.json"), "utf8"));
    } catch (error) {
      if (attempt > 100) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!runtime.eventLogUrl) throw new Error("runtime.json has no eventLogUrl: cannot find search's database");
  const url = new URL(runtime.eventLogUrl);
  url.pathname = url.pathname.replace(/_events$/, "_search");
  return url.toString();
}

/**
 * `total` products (5 % drafts), 3 variants each, stock at the online location and at one store per
 * variant, written as search's handlers write them; then refreshProducts over every product.
 */
export async function loadReadModel(client, { leafIds, locations }, total) {
  const { refreshProducts } = await import("../services/search/src/db/products.repo.ts");
  const started = performance.now();
  await client.query(
    `INSERT INTO search_products (id, name, slug, description, brand, status, category_id, created_at, changed_at,
                                  changed_by_event)
     SELECT md5('bench-search-product-' || g)::uuid,
            ($2::text[])[1 + g % array_length($2::text[], 1)] || ' ' || ($3::text[])[1 + (g / 7) % array_length($3::text[], 1)]
              || ' ' || ($4::text[])[1 + (g / 11) % array_length($4::text[], 1)] || ' modèle ' || g,
            'banc-recherche-' || g,
            'Un article du banc de recherche, numéro ' || g || ', livré en France. A search bench item.',
            ($5::text[])[1 + (g / 13) % array_length($5::text[], 1)],
            CASE WHEN g % 20 = 0 THEN 'draft' ELSE 'active' END,
            ($6::uuid[])[1 + g % array_length($6::uuid[], 1)],
            now() - make_interval(secs => $1::int - g), now() - make_interval(secs => $1::int - g),
            md5('bench-search-event-' || g)::uuid
       FROM generate_series(1, $1::int) g`,
    [total, NOUNS, ADJECTIVES, COLOURS, BRANDS, leafIds],
  );
  await client.query(
    `INSERT INTO search_variants (id, product_id, sku, barcode, options, price, currency, position, changed_at,
                                  changed_by_event)
     SELECT md5('bench-search-variant-' || g || '-' || k)::uuid, md5('bench-search-product-' || g)::uuid,
            'BR-' || g || '-' || (ARRAY['S', 'M', 'L'])[k], '3' || lpad((g * 3 + k)::text, 12, '0'),
            jsonb_build_object('taille', (ARRAY['S', 'M', 'L'])[k]), 990 + (g % 90) * 100 + (k - 1) * 200, 'EUR',
            k - 1, now(), md5('bench-search-event-' || g)::uuid
       FROM generate_series(1, $1::int) g, generate_series(1, 3) k`,
    [total],
  );
  // Online: 2 products in 3 in stock; each variant at one store, in stock 4 times in 5.
  await client.query(
    `INSERT INTO search_stock (variant_id, location_id, location_kind, store_id, on_hand, available, changed_at,
                               changed_by_event)
     SELECT md5('bench-search-variant-' || g || '-' || k)::uuid, l.location_id, l.kind, l.store_id,
            l.available, l.available, now(), md5('bench-search-stock-' || g || '-' || k || '-' || l.kind)::uuid
       FROM generate_series(1, $1::int) g, generate_series(1, 3) k,
            LATERAL (SELECT $2::uuid AS location_id, 'online' AS kind, NULL::uuid AS store_id,
                            CASE WHEN g % 3 = 0 THEN 0 ELSE 5 END AS available
                     UNION ALL
                     SELECT ($3::uuid[])[1 + (g + k) % array_length($3::uuid[], 1)], 'store',
                            ($4::uuid[])[1 + (g + k) % array_length($4::uuid[], 1)],
                            CASE WHEN (g + k) % 5 = 0 THEN 0 ELSE 3 END) l`,
    [total, locations.online, locations.stores, locations.storeIds],
  );
  const inserted = (performance.now() - started) / 1000;
  const CHUNK = 5000;
  for (let from = 1; from <= total; from += CHUNK) {
    const { rows } = await client.query(
      `SELECT array_agg(md5('bench-search-product-' || g)::uuid) AS ids FROM generate_series($1::int, $2::int) g`,
      [from, Math.min(total, from + CHUNK - 1)],
    );
    // In a transaction, as the handlers call it.
    await client.query("BEGIN");
    await refreshProducts(client, rows[0].ids);
    await client.query("COMMIT");
    process.stdout.write(`\r  refreshed ${Math.min(total, from + CHUNK - 1).toLocaleString("en")} products`);
  }
  process.stdout.write("\n");
  for (const table of ["search_products", "search_variants", "search_stock", "search_words"])
    await client.query(`VACUUM ANALYZE ${table}`);
  return { inserted, seconds: (performance.now() - started) / 1000 };
}

/** Waits until search knows every category given (catalog's events). */
async function waitForCategories(client, ids) {
  for (let attempt = 0; ; attempt++) {
    const { rows } = await client.query("SELECT count(*)::int AS n FROM search_categories WHERE id = ANY($1::uuid[])", [
      ids,
    ]);
    if (rows[0].n === ids.length) return;
    if (attempt > 300) throw new Error(`set-up: search knows ${rows[0].n} of ${ids.length} categories after 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Changes the probe's price through the gateway every second until `stop()`, each time polling search
 * (straight, every 20 ms) until it shows the new price: the delays in ms (a change not seen within 10 s
 * counts as 10 s).
 */
function freshnessProbe(base, searchUrl, token, probe) {
  const delays = [];
  let running = true;
  let price = 5000;
  let failure;
  const done = (async () => {
    while (running) {
      const cycle = performance.now();
      price += 10;
      await expect2xx(base, "PUT", `/api/catalog/variants/${probe.variantId}/price`, { token, body: { price } });
      const changed = performance.now();
      for (;;) {
        const res = await fetch(`${searchUrl}/api/search/products?q=${probe.word}`).then((r) => r.json());
        if (res.data?.[0]?.minPrice === price) break;
        if (performance.now() - changed > 10_000) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      delays.push(performance.now() - changed);
      const rest = 1000 - (performance.now() - cycle);
      if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    }
  })().catch((error) => {
    // Kept for stop(): a rejection nobody awaits yet would end the process in the middle of a phase.
    failure = error;
  });
  return {
    async stop() {
      running = false;
      await done;
      if (failure) throw failure;
      return delays;
    },
  };
}

export async function run(args, shared = {}) {
  const options = parseOptions(args, { numbers: { seconds: 10, products: 100_000 } });
  // Smoke: 2,000 products, 8 cases of 1.2 s after 0.5 s of warm-up each.
  const seconds = options.smoke ? 1.2 : options.seconds;
  const warmup = options.smoke ? 0.5 : 3;
  const total = options.smoke ? Math.min(options.products, 2000) : options.products;
  printHeader({
    title: `search: plain, faceted and typo'd product searches and suggestions on ${total.toLocaleString("en")} products`,
    aim:
      `through the gateway, ${CONNECTIONS} connections: faceted searches ≥ ${AIMS.facetedRps} 2xx/s; p95 < ${AIMS.p95} ms ` +
      `for every search; suggest p95 < ${AIMS.suggestP95} ms; freshness p95 < ${AIMS.freshnessP95 / 1000} s while it runs`,
    source: "issue 19 (Proof: npm run bench:search; suggest under 20 ms p95; freshness within 2 s p95)",
    options,
    differs: differences(options.env, [
      ...PLATFORM_NOTES,
      ...(shared.platform ? [SHARED_NOTE] : []),
      `${total.toLocaleString("en")} products / ${(3 * total).toLocaleString("en")} variants generated into search's read model (npm start: the demo's)`,
    ]),
    load: `closed loop (undici), ${CONNECTIONS} connections, anonymous, ${seconds} s per case after ${warmup} s of warm-up`,
  });
  const { platform, release } = await usePlatform(options.env, shared);
  const verdict = new Verdict();
  let client;
  try {
    if (!shared.platform) console.log(`platform ready in ${platform.seconds.toFixed(1)} s`);
    client = new pg.Client({ connectionString: await searchDatabaseUrl(platform.dataDir) });
    await client.connect();
    const token = await adminToken(platform.base);
    const api = (method, path, body) => expect2xx(platform.base, method, path, { token, body });
    const run = Date.now().toString(36);
    const categories = [];
    const leafIds = [];
    for (const root of ["Maison", "Mode", "High-tech", "Sport"]) {
      const parent = await api("POST", "/api/catalog/categories", { name: `${root} ${run}` });
      categories.push(parent.id);
      for (let i = 1; i <= 5; i++) {
        const leaf = await api("POST", "/api/catalog/categories", { name: `${root} ${i} ${run}`, parentId: parent.id });
        leafIds.push(leaf.id);
        categories.push(leaf.id);
      }
    }
    const allLocations = (await api("GET", "/api/inventory/locations")).data ?? [];
    const online = allLocations.find((l) => l.kind === "online");
    const stores = allLocations.filter((l) => l.kind === "store");
    if (!online || stores.length === 0) throw new Error("set-up: the demo has no online or store location");
    const locations = { online: online.id, stores: stores.map((s) => s.id), storeIds: stores.map((s) => s.storeId) };
    // The freshness probe, the real way: created through catalog, known to search by its events.
    const probeWord = `sondefraicheur${run.replace(/[0-9]/g, "")}`;
    const probeProduct = await api("POST", "/api/catalog/products", {
      categoryId: leafIds[0],
      name: `Produit ${probeWord}`,
      status: "active",
      variants: [{ sku: `PROBE-${run}`, options: { taille: "M" }, price: 5000 }],
    });
    const probe = { variantId: probeProduct.variants[0].id, word: probeWord };
    await waitForCategories(client, leafIds);
    const loaded = await loadReadModel(client, { leafIds, locations }, total);
    const counts = (
      await client.query(
        `SELECT (SELECT count(*) FROM search_products WHERE searchable)::int AS searchable,
                (SELECT count(*) FROM search_variants)::int AS variants,
                (SELECT count(*) FROM search_words)::int AS words`,
      )
    ).rows[0];
    console.log(
      `loaded ${total.toLocaleString("en")} products / ${(3 * total).toLocaleString("en")} variants in ` +
        `${loaded.seconds.toFixed(1)} s (rows ${loaded.inserted.toFixed(1)} s, the rest refreshProducts): ` +
        `${counts.searchable} searchable products, ${counts.variants} variants, ${counts.words} typo words`,
    );
    const searchUrl = platform.health.services.search.instances[0].url;
    // Each search instance holds the read model in memory, following its change feed: the first search
    // after the load reads the 100k products in (what an instance does at boot on a large catalog).
    const indexStarted = performance.now();
    for (;;) {
      const res = await fetch(`${searchUrl}/api/search/products?limit=1`).then((r) => r.json());
      if (res.pagination?.total >= counts.searchable) break;
      if (performance.now() - indexStarted > 300_000)
        throw new Error("set-up: search's index did not load within 300 s");
      await new Promise((r) => setTimeout(r, 200));
    }
    const metrics = await fetch(`${searchUrl}/metrics`).then((r) => r.text());
    // Prometheus text: `name{labels} value`.
    const gauge = (name) =>
      Number(metrics.match(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m"))?.[1] ?? Number.NaN) / 1024 ** 2;
    console.log(
      `search's index caught up with the ${counts.searchable.toLocaleString("en")} products in ` +
        `${((performance.now() - indexStarted) / 1000).toFixed(1)} s; the search process: ` +
        `${gauge("process_resident_memory_bytes").toFixed(0)} MiB resident, ${gauge("nodejs_heap_size_used_bytes").toFixed(0)} MiB of heap used`,
    );
    const sample = await api("GET", `/api/search/products?q=chaussures&category=${categories[0]}`);
    console.log(`a sample search ("chaussures" in a root category): ${sample.pagination?.total ?? "?"} results`);
    const cases = queries({ categories, locations }, 2000);

    for (const [label, origin, aimed] of [
      ["through the gateway", platform.base, true],
      ["straight to the search instance (for comparison)", searchUrl, false],
    ]) {
      console.log(
        `\n${label}, anonymous, ${CONNECTIONS} connections, ${seconds} s (after ${warmup} s of warm-up each)`,
      );
      const fresh = aimed ? freshnessProbe(platform.base, searchUrl, token, probe) : null;
      for (const [name, paths] of [
        ["plain search", cases.plain],
        ["faceted search", cases.faceted],
        ["typo search", cases.typo],
        ["suggest", cases.suggest],
      ]) {
        const request = (i) => ({ path: paths[i % paths.length] });
        await loadHttp(origin, { connections: CONNECTIONS, seconds: warmup, request });
        const result = await loadHttp(origin, { connections: CONNECTIONS, seconds, request });
        console.log(formatSummary(name, result));
        if (!aimed) continue;
        const p95Aim = name === "suggest" ? AIMS.suggestP95 : AIMS.p95;
        if (name === "faceted search")
          verdict.check(
            `faceted search via the gateway ≥ ${AIMS.facetedRps} 2xx/s`,
            result.okRps >= AIMS.facetedRps,
            `${fixed(result.okRps, 0)} 2xx/s`,
          );
        verdict.check(
          `${name} via the gateway p95 < ${p95Aim} ms`,
          judged(result, 95) < p95Aim,
          `${fixed(judged(result, 95))} ms`,
        );
        verdict.check(
          `${name} via the gateway errors < 1 %`,
          result.errorRate < 0.01,
          `${fixed(100 * result.errorRate, 2)} %`,
        );
      }
      if (fresh) {
        const delays = (await fresh.stop()).sort((a, b) => a - b);
        console.log(
          `  freshness (price change via the gateway → visible in search), ${delays.length} changes: ` +
            `p50 ${fixed(percentile(delays, 50), 0)} / p95 ${fixed(percentile(delays, 95), 0)} / max ${fixed(delays.at(-1), 0)} ms`,
        );
        verdict.check(
          `freshness p95 < ${AIMS.freshnessP95} ms under load`,
          percentile(delays, 95) < AIMS.freshnessP95,
          `${fixed(percentile(delays, 95), 0)} ms over ${delays.length} changes`,
        );
      }
    }
  } finally {
    await client?.end().catch(() => {});
    await release();
  }
  verdict.finish(options);
}
