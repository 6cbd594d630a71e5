// The copy-paste check (issue 17): jscpd over services/*/src and packages/*/src (.jscpd.json), then
// fails on any clone between two different services: logic one service copied from another belongs in
// a package. Clones inside one service or a package, and wiring every service declares the same way
// (its env schema in config.ts, main.ts, route schemas in routes/, import lists), are listed but not fatal.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const config = JSON.parse(readFileSync(join(root, ".jscpd.json"), "utf8"));
const jscpd = join(root, "node_modules", ".bin", "jscpd");
const run = spawnSync(jscpd, ["--config", join(root, ".jscpd.json")], { cwd: root, encoding: "utf8" });
if (run.status !== 0) {
  process.stderr.write(run.stdout + run.stderr);
  process.exit(run.status ?? 1);
}
const report = JSON.parse(readFileSync(join(root, config.output, "jscpd-report.json"), "utf8"));

const serviceOf = (file) => /^services\/([^/]+)\//.exec(file)?.[1];
const BOILERPLATE = /^services\/[^/]+\/src\/(config\.ts|main\.ts|routes\/)/;
// A clone made only of import declarations says which packages two files use, not what they do.
const onlyImports = (fragment) =>
  fragment
    .replace(/(^|\n)\s*import\s[\s\S]*?from\s*["'][^"']+["'];?/g, "")
    .replace(/(^|\n)\s*import\s*["'][^"']+["'];?/g, "")
    .trim() === "";
const where = (f) => `${relative(root, f.name)}:${f.start}-${f.end}`;

const fatal = [];
const reported = [];
for (const clone of report.duplicates) {
  const [a, b] = [relative(root, clone.firstFile.name), relative(root, clone.secondFile.name)];
  const line = `  ${where(clone.firstFile)}  ≡  ${where(clone.secondFile)}  (${clone.lines} lines, ${clone.tokens} tokens)`;
  const between = serviceOf(a) && serviceOf(b) && serviceOf(a) !== serviceOf(b);
  const wiring = (BOILERPLATE.test(a) && BOILERPLATE.test(b)) || onlyImports(clone.fragment ?? "");
  (between && !wiring ? fatal : reported).push(line);
}

if (reported.length > 0) {
  console.log(`${reported.length} clone(s) within one service or package, or in per-service wiring (not fatal):`);
  console.log(reported.join("\n"));
}
if (fatal.length > 0) {
  console.error(`\n${fatal.length} clone(s) between two services: move the shared logic into a package.`);
  console.error(fatal.join("\n"));
  process.exit(1);
}
console.log(`\nno clone between two services (${report.statistics?.total?.sources ?? "?"} files checked)`);
