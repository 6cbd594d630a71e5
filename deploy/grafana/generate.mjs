#!/usr/bin/env node
// Writes Comptoir's Grafana dashboards (dashboards/*.json) from the definitions below, so that the
// per-service dashboards stay alike: `node deploy/grafana/generate.mjs` after a change (commit the
// JSON); `--check` exits 1 when a file differs from what this script would write (npm run lint:prometheus).
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "dashboards");
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

/** Backends (a database, events); the gateway has neither. Sagas: the services that run some. */
const SERVICES = {
  gateway: { port: 8080, title: "Gateway" },
  identity: { port: 3001, title: "Identity" },
  catalog: { port: 3002, title: "Catalog" },
  inventory: { port: 3003, title: "Inventory" },
  supply: { port: 3004, title: "Supply", sagas: true },
  cart: { port: 3005, title: "Cart" },
  orders: { port: 3006, title: "Orders", sagas: true },
  payments: { port: 3007, title: "Payments" },
  retail: { port: 3008, title: "Retail", sagas: true },
  reporting: { port: 3009, title: "Reporting" },
  search: { port: 3010, title: "Search" },
  notifications: { port: 3011, title: "Notifications" },
};

const target = (expr, legendFormat) => ({ expr, legendFormat: legendFormat ?? "__auto", range: true });
const panel = (title, unit, targets, options = {}) => ({ title, unit, targets, ...options });
const row = (title) => ({ row: title });

/** The service's own panels, after the ones every service has. */
function servicePanels(name) {
  const sel = `service="${name}", instance=~"$instance"`;
  const own = {
    gateway: [
      row("Upstreams"),
      panel("Upstream instances up", "short", [
        target(`sum by (service) (gateway_upstream_up{instance!=""})`, "{{service}}"),
      ]),
      panel("Open circuits", "short", [target(`sum by (upstream) (gateway_circuit_open{${sel}})`, "{{upstream}}")]),
      panel("Upstream requests by status", "reqps", [
        target(
          `sum by (service, status) (rate(gateway_upstream_requests_total[$__rate_interval]))`,
          "{{service}} {{status}}",
        ),
      ]),
      panel("Cache hits and misses", "reqps", [
        target(
          `sum by (service, result) (rate(gateway_cache_requests_total[$__rate_interval]))`,
          "{{service}} {{result}}",
        ),
      ]),
      panel("Rate limited and auth failures", "reqps", [
        target(`sum by (kind) (rate(gateway_rate_limited_total{${sel}}[$__rate_interval]))`, "429 {{kind}}"),
        target(`sum by (reason) (rate(gateway_auth_failures_total{${sel}}[$__rate_interval]))`, "401 {{reason}}"),
        target(`sum(rate(gateway_rate_limit_store_errors_total{${sel}}[$__rate_interval]))`, "rate-limit store errors"),
      ]),
    ],
    payments: [
      row("Provider"),
      panel("Operations by outcome", "ops", [
        target(
          `sum by (operation, outcome) (rate(payments_operations_total{${sel}}[$__rate_interval]))`,
          "{{operation}} {{outcome}}",
        ),
      ]),
      panel("Provider p95", "s", [
        target(
          `histogram_quantile(0.95, sum by (operation, le) (rate(payments_provider_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
          "{{operation}}",
        ),
      ]),
      panel("Idempotent replays", "reqps", [
        target(`sum by (endpoint) (rate(payments_idempotent_replays_total{${sel}}[$__rate_interval]))`, "{{endpoint}}"),
      ]),
    ],
    notifications: [
      row("Delivery"),
      panel("Messages by outcome", "short", [
        target(
          `sum by (template, outcome) (increase(notifications_messages_total{${sel}}[$__rate_interval]))`,
          "{{template}} {{outcome}}",
        ),
      ]),
      panel("Queue", "short", [
        target(`max by (state) (notifications_queue_depth{${sel}})`, "{{state}}"),
        target(`max(notifications_dead_messages{${sel}})`, "dead"),
      ]),
    ],
    search: [
      row("Read model"),
      panel("Read model lag", "s", [target(`max by (stream) (search_read_model_lag_seconds{${sel}})`, "{{stream}}")]),
      panel("Events not applied", "short", [
        target(`max by (stream) (search_read_model_lag_events{${sel}})`, "{{stream}}"),
      ]),
    ],
    reporting: [
      row("Read models"),
      panel("Data age", "s", [target(`max by (model) (comptoir_reporting_data_age_seconds{${sel}})`, "{{model}}")]),
      panel("Read model lag", "s", [
        target(`max by (stream) (reporting_read_model_lag_seconds{${sel}})`, "{{stream}}"),
      ]),
      panel("Events not applied", "short", [
        target(`max by (stream) (reporting_read_model_lag_events{${sel}})`, "{{stream}}"),
      ]),
    ],
    orders: [row("Business"), ...businessPanels().orders],
    retail: [row("Business"), ...businessPanels().retail],
    inventory: [row("Business"), ...businessPanels().inventory],
    supply: [row("Business"), ...businessPanels().supply],
  };
  const backend = name !== "gateway";
  return [
    row("HTTP (RED)"),
    panel("Requests by status", "reqps", [
      target(`sum by (status) (rate(http_requests_total{${sel}}[$__rate_interval]))`, "{{status}}"),
    ]),
    panel("5xx ratio", "percentunit", [
      target(
        `sum(rate(http_requests_total{${sel}, status=~"5.."}[$__rate_interval])) / sum(rate(http_requests_total{${sel}}[$__rate_interval]))`,
        "5xx",
      ),
    ]),
    panel("p99 by route", "s", [
      target(
        `histogram_quantile(0.99, sum by (method, route, le) (rate(http_request_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
        "{{method}} {{route}}",
      ),
    ]),
    panel("Requests by route", "reqps", [
      target(`sum by (method, route) (rate(http_requests_total{${sel}}[$__rate_interval]))`, "{{method}} {{route}}"),
    ]),
    row("Process"),
    panel("CPU", "percentunit", [target(`rate(process_cpu_seconds_total{${sel}}[$__rate_interval])`, "{{instance}}")]),
    panel("Resident memory", "bytes", [target(`process_resident_memory_bytes{${sel}}`, "{{instance}}")]),
    panel("Event loop lag p99", "s", [target(`nodejs_eventloop_lag_p99_seconds{${sel}}`, "{{instance}}")]),
    ...(backend
      ? [
          row("Database"),
          panel("Connections held / budget", "short", [
            target(`sum by (instance, state) (db_connections{${sel}})`, "{{instance}} {{state}}"),
            target(`sum by (instance) (db_connection_budget{${sel}, use=~"pool|session"})`, "{{instance}} budget"),
          ]),
          panel("Queries waiting, unavailable", "short", [
            target(`db_pool_waiting{${sel}}`, "{{instance}} waiting"),
            target(`db_unavailable{${sel}}`, "{{instance}} unavailable"),
          ]),
          row("Events"),
          panel("Consumer lag", "short", [
            target(`max by (group, stream) (events_consumer_lag{${sel}})`, "{{group}} {{stream}}"),
          ]),
          panel("Outbox backlog and relay lag", "short", [
            target(`max(events_outbox_backlog{${sel}})`, "backlog"),
            target(`max(events_relay_lag_seconds{${sel}})`, "oldest unsent (s)"),
          ]),
          panel("Dead letters", "short", [target(`max by (group) (events_dead_letters{${sel}})`, "{{group}}")]),
        ]
      : []),
    ...(SERVICES[name].sagas
      ? [
          row("Sagas"),
          panel("Unfinished sagas", "short", [
            target(`max by (kind, status) (comptoir_sagas_unfinished{${sel}})`, "{{kind}} {{status}}"),
          ]),
          panel("Oldest unfinished saga", "s", [
            target(`max by (kind, status) (comptoir_sagas_oldest_unfinished_seconds{${sel}})`, "{{kind}} {{status}}"),
          ]),
        ]
      : []),
    ...(own[name] ?? []),
  ];
}

/** The business metrics (services orders, retail, inventory, supply), by the service that counts them. */
function businessPanels() {
  const r = "[$__rate_interval]";
  return {
    orders: [
      panel("Orders placed, paid, failed", "short", [
        target(`sum by (channel) (increase(comptoir_orders_placed_total${r}))`, "placed {{channel}}"),
        target(`sum by (channel) (increase(comptoir_orders_paid_total${r}))`, "paid {{channel}}"),
        target(`sum by (reason) (increase(comptoir_orders_failed_total${r}))`, "failed: {{reason}}"),
      ]),
      panel("Checkout duration p50 / p95", "s", [
        target(
          `histogram_quantile(0.5, sum by (le) (rate(comptoir_checkout_duration_seconds_bucket{outcome="completed"}${r})))`,
          "p50",
        ),
        target(
          `histogram_quantile(0.95, sum by (le) (rate(comptoir_checkout_duration_seconds_bucket{outcome="completed"}${r})))`,
          "p95",
        ),
      ]),
    ],
    revenue: [
      panel("Revenue per hour (minor units)", "short", [
        target(`sum by (channel, currency) (increase(comptoir_revenue_minor_total[1h]))`, "{{channel}} {{currency}}"),
      ]),
    ],
    retail: [
      panel("Till sales and returns by store", "short", [
        target(`sum by (store) (increase(comptoir_pos_sales_total${r}))`, "sales {{store}}"),
        target(`sum by (store) (increase(comptoir_pos_returns_total${r}))`, "returns {{store}}"),
        target(`sum by (store) (increase(comptoir_pos_voids_total${r}))`, "voids {{store}}"),
      ]),
      panel("Registers open past closing", "short", [
        target(`max by (store) (comptoir_retail_sessions_open_past_closing)`, "{{store}}"),
      ]),
    ],
    inventory: [
      panel("Stock-outs and low-stock alerts", "short", [
        target(
          `sum by (location_kind) (increase(comptoir_inventory_stockouts_total${r}))`,
          "stock-outs {{location_kind}}",
        ),
        target(
          `sum by (location_kind) (increase(comptoir_inventory_low_stock_alerts_total${r}))`,
          "alerts {{location_kind}}",
        ),
      ]),
    ],
    supply: [
      panel("Replenishment decisions and outcomes", "short", [
        target(`sum by (decision) (increase(comptoir_replenishment_decisions_total${r}))`, "{{decision}}"),
        target(`sum by (outcome) (increase(comptoir_replenishment_outcomes_total${r}))`, "{{outcome}}"),
      ]),
    ],
  };
}

function overviewPanels() {
  const r = "[$__rate_interval]";
  return [
    row("Services"),
    panel("Instances up", "short", [target(`sum by (service) (up)`, "{{service}}")], { type: "stat" }),
    panel("Requests by service", "reqps", [target(`sum by (service) (rate(http_requests_total${r}))`, "{{service}}")]),
    panel("5xx ratio by service", "percentunit", [
      target(
        `sum by (service) (rate(http_requests_total{status=~"5.."}${r})) / sum by (service) (rate(http_requests_total${r}))`,
        "{{service}}",
      ),
    ]),
    panel("p99 by service", "s", [
      target(
        `histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket${r})))`,
        "{{service}}",
      ),
    ]),
    row("Events and database"),
    panel("Consumer lag", "short", [
      target(`max by (service, group, stream) (events_consumer_lag)`, "{{group}} {{stream}}"),
    ]),
    panel("Dead letters", "short", [target(`max by (service, group) (events_dead_letters)`, "{{service}} {{group}}")]),
    panel("PostgreSQL connections held", "short", [
      target(`sum by (service) (db_connections)`, "{{service}}"),
      target(`sum(db_connections)`, "all"),
    ]),
    panel("Database unavailable", "short", [target(`max by (service) (db_unavailable)`, "{{service}}")]),
    row("Business"),
    ...businessPanels().revenue,
    panel("Orders paid, till sales", "short", [
      target(`sum(increase(comptoir_orders_paid_total${r}))`, "orders paid"),
      target(`sum(increase(comptoir_pos_sales_total${r}))`, "till sales"),
    ]),
  ];
}

function eventsPanels() {
  const r = "[$__rate_interval]";
  return [
    row("Lag"),
    panel("Consumer lag by group and stream", "short", [
      target(`max by (service, group, stream) (events_consumer_lag)`, "{{group}} ← {{stream}}"),
    ]),
    panel("Outbox backlog", "short", [target(`max by (service) (events_outbox_backlog)`, "{{service}}")]),
    panel("Oldest unsent event", "s", [target(`max by (service) (events_relay_lag_seconds)`, "{{service}}")]),
    row("Throughput"),
    panel("Events handled by group", "ops", [
      target(`sum by (group, outcome) (rate(events_handled_total${r}))`, "{{group}} {{outcome}}"),
    ]),
    panel("Handler failures (each retry)", "ops", [
      target(`sum by (group, type) (rate(events_handler_failures_total${r}))`, "{{group}} {{type}}"),
    ]),
    row("Dead letters"),
    panel("Dead letters waiting", "short", [target(`max by (service, group) (events_dead_letters)`, "{{group}}")]),
    panel("Dead-lettered", "short", [
      target(`sum by (group, type) (increase(events_dead_lettered_total${r}))`, "{{group}} {{type}}"),
    ]),
    row("Handler durations"),
    panel("Handler p99 by group and type", "s", [
      target(
        `histogram_quantile(0.99, sum by (group, type, le) (rate(events_handler_duration_seconds_bucket${r})))`,
        "{{group}} {{type}}",
      ),
    ]),
    panel("Handler p50 by group", "s", [
      target(
        `histogram_quantile(0.5, sum by (group, le) (rate(events_handler_duration_seconds_bucket${r})))`,
        "{{group}}",
      ),
    ]),
  ];
}

function businessDashboardPanels() {
  const b = businessPanels();
  return [
    row("Revenue"),
    ...b.revenue,
    row("Online orders"),
    ...b.orders,
    row("Stores"),
    ...b.retail,
    row("Stock and replenishment"),
    ...b.inventory,
    ...b.supply,
  ];
}

/** Lays the panels out two per row (rows full width) and numbers them. */
function layout(items) {
  const panels = [];
  let y = 0;
  let x = 0;
  let id = 1;
  for (const item of items) {
    if (item.row) {
      if (x > 0) y += 8;
      x = 0;
      panels.push({
        id: id++,
        type: "row",
        title: item.row,
        collapsed: false,
        gridPos: { h: 1, w: 24, x: 0, y },
        panels: [],
      });
      y += 1;
      continue;
    }
    panels.push({
      id: id++,
      type: item.type ?? "timeseries",
      title: item.title,
      datasource: DATASOURCE,
      gridPos: { h: 8, w: 12, x, y },
      fieldConfig: { defaults: { unit: item.unit }, overrides: [] },
      options: {},
      targets: item.targets.map((t, i) => ({ datasource: DATASOURCE, refId: String.fromCharCode(65 + i), ...t })),
    });
    x += 12;
    if (x >= 24) {
      x = 0;
      y += 8;
    }
  }
  return panels;
}

function dashboard({ uid, title, tags, items, instanceOf }) {
  const variables = [
    {
      name: "datasource",
      label: "Prometheus",
      type: "datasource",
      query: "prometheus",
      current: { text: "Prometheus", value: "comptoir-prometheus" },
      hide: 0,
    },
  ];
  if (instanceOf) {
    variables.push({
      name: "instance",
      label: "Instance",
      type: "query",
      datasource: DATASOURCE,
      query: { query: `label_values(http_requests_total{service="${instanceOf}"}, instance)`, refId: "instances" },
      definition: `label_values(http_requests_total{service="${instanceOf}"}, instance)`,
      includeAll: true,
      multi: true,
      allValue: ".*",
      current: { text: "All", value: "$__all" },
      refresh: 2,
      hide: 0,
    });
  }
  return {
    uid,
    title,
    tags: ["comptoir", ...tags],
    timezone: "browser",
    editable: true,
    schemaVersion: 39,
    version: 1,
    refresh: "30s",
    time: { from: "now-6h", to: "now" },
    templating: { list: variables },
    annotations: { list: [] },
    links: [{ title: "Comptoir", type: "dashboards", tags: ["comptoir"], asDropdown: true }],
    panels: layout(items),
  };
}

export function dashboards() {
  return {
    "overview.json": dashboard({
      uid: "comptoir-overview",
      title: "Comptoir — platform overview",
      tags: ["overview"],
      items: overviewPanels(),
    }),
    "events.json": dashboard({
      uid: "comptoir-events",
      title: "Comptoir — events",
      tags: ["events"],
      items: eventsPanels(),
    }),
    "business.json": dashboard({
      uid: "comptoir-business",
      title: "Comptoir — business",
      tags: ["business"],
      items: businessDashboardPanels(),
    }),
    ...Object.fromEntries(
      Object.entries(SERVICES).map(([name, s]) => [
        `service-${name}.json`,
        dashboard({
          uid: `comptoir-${name}`,
          title: `Comptoir — ${s.title} (:${s.port})`,
          tags: ["service"],
          items: servicePanels(name),
          instanceOf: name,
        }),
      ]),
    ),
  };
}

/** The dashboards' files as they are committed: JSON formatted by the repository's Prettier. */
export async function dashboardFiles() {
  const prettier = await import("prettier");
  const files = {};
  for (const [file, content] of Object.entries(dashboards())) {
    const path = join(OUT, file);
    const options = (await prettier.resolveConfig(path)) ?? {};
    files[path] = await prettier.format(JSON.stringify(content, null, 2), { ...options, filepath: path });
  }
  return files;
}

const read = (path) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes("--check");
  const files = await dashboardFiles();
  const stale = Object.keys(files).filter((path) => read(path) !== files[path]);
  if (check) {
    for (const path of stale)
      console.error(`${path} is not what generate.mjs writes: run node deploy/grafana/generate.mjs`);
    process.exitCode = stale.length ? 1 : 0;
  } else {
    for (const [path, text] of Object.entries(files)) writeFileSync(path, text);
    console.log(`wrote ${Object.keys(files).length} dashboards to deploy/grafana/dashboards/`);
  }
}
