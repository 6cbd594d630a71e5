/* eslint-disable @typescript-eslint/no-require-imports -- dependency-cruiser loads this file as CommonJS */
// Dependency rules (issue 17), checked by `npm run lint:deps`; every rule is an error.
const { existsSync, readdirSync, readFileSync } = require("node:fs");
const { join, posix } = require("node:path");

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Each workspace (packages/*, services/*) and the files its package.json "exports" declares. */
function workspaces() {
  const found = [];
  for (const parent of ["packages", "services"]) {
    for (const name of readdirSync(parent)) {
      const manifest = join(parent, name, "package.json");
      if (!existsSync(manifest)) continue;
      const { exports } = JSON.parse(readFileSync(manifest, "utf8"));
      const targets = typeof exports === "string" ? [exports] : Object.values(exports ?? {});
      const entries = targets
        .flatMap((t) => (typeof t === "string" ? [t] : Object.values(t)))
        .filter((t) => typeof t === "string" && t.endsWith(".ts"))
        .map((t) => posix.join(parent, name, t));
      found.push({ dir: `${parent}/${name}`, entries });
    }
  }
  return found;
}

/** Outside a workspace, only its entry points: no deep path into its src (or anything else). */
const entryPointRules = workspaces().map(({ dir, entries }) => ({
  name: "only-entry-points",
  comment: `outside ${dir}, import it by its package name (package.json "exports"), never by a path into it`,
  severity: "error",
  from: { pathNot: `^${escape(dir)}/` },
  to: {
    path: `^${escape(dir)}/`,
    pathNot: entries.length ? `^(${entries.map(escape).join("|")})$` : undefined,
  },
}));

module.exports = {
  forbidden: [
    {
      name: "no-other-service-folder",
      comment: "a service (source or tests) never reaches into another service's folder by a relative path",
      severity: "error",
      from: { path: "^services/([^/]+)/" },
      to: { path: "^services/", pathNot: "^services/$1/", dependencyTypes: ["local"] },
    },
    {
      name: "no-other-service-in-source",
      comment: "a service's source talks to another service over HTTP or events only, never by import",
      severity: "error",
      from: { path: "^services/([^/]+)/src/" },
      to: { path: "^services/", pathNot: "^services/$1/" },
    },
    ...entryPointRules,
    {
      name: "db-imports-nothing-above",
      comment: "db/ (and cart's redis/) is the bottom layer: it may import model/ and packages, nothing above it",
      severity: "error",
      from: { path: "^services/([^/]+)/src/(db|redis)/" },
      to: { path: "^services/$1/src/((domain|routes|clients|events|seed)/|(app|main)\\.ts$)" },
    },
    {
      name: "model-is-pure",
      comment: "model/ holds types and aggregates: it imports other model/ files and packages only",
      severity: "error",
      from: { path: "^services/([^/]+)/src/model/", pathNot: "\\.test\\.ts$" },
      to: { path: "^services/$1/src/", pathNot: "^services/$1/src/model/" },
    },
    {
      name: "seed-only-from-main",
      comment: "demo seeders run at start: only main.ts (and identity's production check) imports seed/",
      severity: "error",
      from: {
        path: "^services/([^/]+)/src/",
        pathNot: "^services/[^/]+/src/(main|production)\\.ts$|^services/[^/]+/src/seed/",
      },
      to: { path: "^services/$1/src/seed/" },
    },
    {
      name: "kernel-below-its-packages",
      comment: "the kernel (@comptoir/platform) knows nothing of events, sagas or test helpers built on it",
      severity: "error",
      from: { path: "^packages/platform/src/" },
      to: { path: "^packages/(events|sagas|testing|client|cli)/" },
    },
    {
      name: "events-below-sagas",
      comment: "@comptoir/events is below sagas and the test helpers",
      severity: "error",
      from: { path: "^packages/events/src/" },
      to: { path: "^packages/(sagas|testing|client|cli)/" },
    },
    {
      name: "test-helpers-in-tests-only",
      comment: "@comptoir/testing is for tests: no service or package source imports it",
      severity: "error",
      from: { path: "^(services|packages)/[^/]+/src/", pathNot: "^packages/testing/" },
      to: { path: "^packages/testing/" },
    },
    {
      name: "no-circular",
      comment: "no import circle anywhere (type-only imports included)",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist|coverage)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    combinedDependencies: false,
    // Workspace packages resolve to their TypeScript sources, as in vitest and esbuild.
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["source", "import", "require", "node", "default"],
      mainFields: ["module", "main", "types"],
      extensions: [".ts", ".js", ".mjs", ".cjs", ".json"],
    },
    cache: { folder: "node_modules/.cache/dependency-cruiser", strategy: "content" },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
