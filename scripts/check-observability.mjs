#!/usr/bin/env node
// Checks deploy/prometheus and deploy/grafana (npm run lint:prometheus):
//   - `promtool check config` on both scrape configurations, `promtool check rules` on the rules,
//     `promtool test rules` on their unit tests, each alert tested firing and not firing;
//   - the dashboards are what deploy/grafana/generate.mjs writes, have Grafana's shape (uids, panel
//     ids, grid positions, targets, datasource and variables), and every query parses (promtool checks
//     them as recording rules);
//   - lists every metric the rules and dashboards use. `--list-metrics` prints only that list (JSON),
//     without promtool: test/e2e/retail.e2e.test.ts checks each against the services' live /metrics.
// Needs promtool (Debian: apt-get install prometheus). Debian's promtool is built without Kubernetes
// service discovery: the Kubernetes configuration is then checked with its kubernetes_sd_configs
// replaced by a static target (everything else by promtool), the discovery block by this script.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";

const root = fileURLToPath(new URL("..", import.meta.url));
const PROMETHEUS = join(root, "deploy/prometheus");
const RULES = join(PROMETHEUS, "rules/comptoir.rules.yml");
const RULE_TESTS = join(PROMETHEUS, "rules/comptoir.rules.test.yml");
const DASHBOARDS = join(root, "deploy/grafana/dashboards");

// ---------------------------------------------------------------------------------------------------
// Metric names in PromQL.

/** Words of PromQL that are not metric names when they stand outside a function call's name. */
const KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "bool",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "offset",
  "inf",
  "nan",
]);
/** Series Prometheus makes itself. */
const SYNTHETIC = new Set(["up", "scrape_duration_seconds", "scrape_samples_scraped"]);

/** The metric names in one expression (Grafana's variables allowed: `$instance`, `$__rate_interval`). */
export function metricsOf(expr) {
  const labelValues = /^\s*label_values\(\s*([a-zA-Z_:][\w:]*)/.exec(expr);
  if (labelValues) return [labelValues[1]];
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "")
    .replace(/\boffset\s+\S+/g, "");
  const names = [];
  for (const m of bare.matchAll(/(?<![\w:.$])([a-zA-Z_:][\w:]*)(?![\w:])(?!\s*\()/g)) {
    if (!KEYWORDS.has(m[1].toLowerCase())) names.push(m[1]);
  }
  return names;
}

const readYaml = (path) => parse(readFileSync(path, "utf8"));

function ruleGroups() {
  return readYaml(RULES).groups;
}

/** Every query of every dashboard: { file, title, expr }. */
function dashboardQueries() {
  const queries = [];
  for (const file of readdirSync(DASHBOARDS)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    const dashboard = JSON.parse(readFileSync(join(DASHBOARDS, file), "utf8"));
    for (const panel of dashboard.panels ?? []) {
      for (const t of panel.targets ?? []) queries.push({ file, title: panel.title, expr: t.expr });
    }
    for (const v of dashboard.templating?.list ?? []) {
      if (v.type === "query") queries.push({ file, title: `variable ${v.name}`, expr: v.definition });
    }
  }
  return queries;
}

/** The metrics the rules and dashboards read (not the rules' own recorded series, not `up`). */
export function usedMetrics() {
  const groups = ruleGroups();
  const recorded = new Set(groups.flatMap((g) => g.rules.filter((r) => r.record).map((r) => r.record)));
  const used = new Set();
  for (const rule of groups.flatMap((g) => g.rules)) for (const name of metricsOf(String(rule.expr))) used.add(name);
  for (const q of dashboardQueries()) for (const name of metricsOf(q.expr)) used.add(name);
  return [...used].filter((n) => !recorded.has(n) && !SYNTHETIC.has(n)).sort();
}

// ---------------------------------------------------------------------------------------------------
// Checks.

const problems = [];
const fail = (message) => problems.push(message);

function promtool(args, { quiet = false } = {}) {
  const run = spawnSync("promtool", args, { encoding: "utf8" });
  if (run.error) {
    console.error(`promtool: ${run.error.message} (Debian: apt-get install prometheus)`);
    process.exit(2);
  }
  const output = `${run.stdout}${run.stderr}`.trim();
  if (!quiet) console.log(output);
  return { ok: run.status === 0, output };
}

function checkConfigs() {
  if (!promtool(["check", "config", join(PROMETHEUS, "prometheus.yml")]).ok)
    fail("prometheus.yml: promtool check config failed");
  const k8s = join(PROMETHEUS, "prometheus-k8s.yml");
  const direct = promtool(["check", "config", k8s], { quiet: true });
  if (direct.ok) return console.log(direct.output);
  if (!/field kubernetes_sd_configs not found/.test(direct.output)) {
    console.log(direct.output);
    return fail("prometheus-k8s.yml: promtool check config failed");
  }
  // This promtool has no Kubernetes discovery: check the rest with a static target in its place.
  const config = readYaml(k8s);
  for (const job of config.scrape_configs) {
    for (const sd of job.kubernetes_sd_configs ?? []) {
      if (sd.role !== "pod")
        fail(`prometheus-k8s.yml, job ${job.job_name}: kubernetes_sd_configs role ${sd.role}, expected pod`);
      const names = sd.namespaces?.names;
      if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === "string")) {
        fail(`prometheus-k8s.yml, job ${job.job_name}: kubernetes_sd_configs.namespaces.names must list namespaces`);
      }
      const unknown = Object.keys(sd).filter(
        (k) => !["role", "namespaces", "selectors", "attach_metadata"].includes(k),
      );
      if (unknown.length)
        fail(`prometheus-k8s.yml, job ${job.job_name}: unknown kubernetes_sd_configs fields ${unknown}`);
    }
    if (job.kubernetes_sd_configs) {
      delete job.kubernetes_sd_configs;
      job.static_configs = [{ targets: ["pod.comptoir.invalid:3000"] }];
    }
  }
  const dir = mkdtempSync(join(tmpdir(), "comptoir-prometheus-"));
  try {
    cpSync(join(PROMETHEUS, "rules"), join(dir, "rules"), { recursive: true });
    writeFileSync(join(dir, "prometheus-k8s.yml"), stringify(config));
    console.log(
      "prometheus-k8s.yml: this promtool has no Kubernetes discovery; checking it with a static target instead",
    );
    if (!promtool(["check", "config", join(dir, "prometheus-k8s.yml")]).ok)
      fail("prometheus-k8s.yml: promtool check config failed");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function checkRules() {
  if (!promtool(["check", "rules", RULES]).ok) fail("comptoir.rules.yml: promtool check rules failed");
  if (!promtool(["test", "rules", RULE_TESTS]).ok) fail("comptoir.rules.test.yml: promtool test rules failed");
  // Each alert tested firing (an expected alert) and not firing (an empty exp_alerts).
  const cases = readYaml(RULE_TESTS).tests.flatMap((t) => t.alert_rule_test ?? []);
  for (const alert of ruleGroups().flatMap((g) => g.rules.filter((r) => r.alert).map((r) => r.alert))) {
    const mine = cases.filter((c) => c.alertname === alert);
    if (!mine.some((c) => (c.exp_alerts ?? []).length > 0)) fail(`alert ${alert}: no test where it fires`);
    if (!mine.some((c) => (c.exp_alerts ?? []).length === 0)) fail(`alert ${alert}: no test where it does not fire`);
  }
}

const PANEL_TYPES = new Set(["row", "timeseries", "stat", "gauge", "table", "bargauge"]);

function checkDashboards() {
  const generated = spawnSync(process.execPath, [join(root, "deploy/grafana/generate.mjs"), "--check"], {
    encoding: "utf8",
  });
  if (generated.status !== 0) fail(`dashboards out of date: ${generated.stderr.trim()}`);
  const uids = new Map();
  const files = readdirSync(DASHBOARDS).filter((f) => f.endsWith(".json"));
  if (files.length === 0) fail("no dashboard in deploy/grafana/dashboards");
  for (const file of files) {
    const where = `dashboards/${file}`;
    let d;
    try {
      d = JSON.parse(readFileSync(join(DASHBOARDS, file), "utf8"));
    } catch (error) {
      fail(`${where}: not JSON (${error.message})`);
      continue;
    }
    for (const key of ["uid", "title"]) if (typeof d[key] !== "string" || !d[key]) fail(`${where}: no ${key}`);
    if (!Number.isInteger(d.schemaVersion)) fail(`${where}: no schemaVersion`);
    if (uids.has(d.uid)) fail(`${where}: uid ${d.uid} also in ${uids.get(d.uid)}`);
    uids.set(d.uid, file);
    if (typeof d.uid === "string" && d.uid.length > 40) fail(`${where}: uid longer than 40 characters`);
    const variables = new Set((d.templating?.list ?? []).map((v) => v.name));
    if (!Array.isArray(d.panels) || d.panels.length === 0) fail(`${where}: no panels`);
    const ids = new Set();
    for (const p of d.panels ?? []) {
      const at = `${where}, panel ${p.id} "${p.title}"`;
      if (!Number.isInteger(p.id) || ids.has(p.id)) fail(`${at}: missing or repeated id`);
      ids.add(p.id);
      if (!PANEL_TYPES.has(p.type)) fail(`${at}: unknown type ${p.type}`);
      const g = p.gridPos ?? {};
      if (![g.x, g.y, g.w, g.h].every(Number.isInteger) || g.x + g.w > 24) fail(`${at}: bad gridPos`);
      if (p.type === "row") continue;
      if (!p.title) fail(`${at}: no title`);
      if (!Array.isArray(p.targets) || p.targets.length === 0) fail(`${at}: no targets`);
      const refIds = new Set();
      for (const t of p.targets ?? []) {
        if (!t.refId || refIds.has(t.refId)) fail(`${at}: missing or repeated refId`);
        refIds.add(t.refId);
        if (typeof t.expr !== "string" || !t.expr.trim()) fail(`${at}: a target without expr`);
        for (const v of String(t.expr).matchAll(/\$(\w+)/g)) {
          if (!v[1].startsWith("__") && !variables.has(v[1]))
            fail(`${at}: uses $${v[1]}, not a variable of the dashboard`);
        }
      }
      for (const ds of [p.datasource, ...(p.targets ?? []).map((t) => t.datasource)]) {
        if (ds?.type !== "prometheus" || (ds.uid !== "${datasource}" && !ds.uid))
          fail(`${at}: datasource is not Prometheus`);
      }
    }
  }
  // Every query parses: checked by promtool as recording rules (Grafana's variables given values).
  const queries = dashboardQueries().filter((q) => !q.expr.startsWith("label_values("));
  const rules = {
    groups: [
      {
        name: "dashboards",
        rules: queries.map((q, i) => ({
          record: `dashboard:query:${i}`,
          expr: q.expr.replaceAll("$__rate_interval", "5m").replace(/\$\w+/g, ".*"),
        })),
      },
    ],
  };
  const dir = mkdtempSync(join(tmpdir(), "comptoir-dashboards-"));
  try {
    writeFileSync(join(dir, "queries.yml"), stringify(rules));
    const run = promtool(["check", "rules", join(dir, "queries.yml")], { quiet: true });
    if (!run.ok) fail(`a dashboard query does not parse:\n${run.output}`);
    else console.log(`dashboards: ${files.length} files, ${queries.length} queries parse`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--list-metrics")) {
    console.log(JSON.stringify(usedMetrics()));
  } else {
    console.log(promtool(["--version"], { quiet: true }).output.split("\n")[0]);
    checkConfigs();
    checkRules();
    checkDashboards();
    const metrics = usedMetrics();
    console.log(`metrics used by the rules and dashboards (${metrics.length}): ${metrics.join(", ")}`);
    if (problems.length) {
      for (const p of problems) console.error(`✗ ${p}`);
      process.exit(1);
    }
    console.log("observability: ok");
  }
}
