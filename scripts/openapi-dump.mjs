// Every service's own OpenAPI document (internal operations included), and with --lint their check
// by Spectral against .spectral.yaml (its OpenAPI rules and OWASP's): `npm run lint:openapi`.
//
// The documents are the services' `/openapi.json`, fetched from the platform booted once by
// scripts/openapi-platform.mjs (built bundles: run `npm run build` first).
//
//   node scripts/openapi-dump.mjs [--out DIR] [--lint]
//
// --out DIR keeps the documents there (<service>.json); without it they go to a temporary folder,
// removed at the end. --lint exits 1 when Spectral reports an error (warnings are counted, not
// fatal); the errors are listed one per line.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { dumpDocuments, root } from "./openapi-platform.mjs";

const { values: args } = parseArgs({ options: { out: { type: "string" }, lint: { type: "boolean" } } });

const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

/** Spectral over the files; the errors listed, the warnings counted by rule. Returns the error count. */
async function lint(files, outDir) {
  const report = join(outDir, "spectral.json");
  const spectral = spawn(
    join(root, "node_modules/.bin/spectral"),
    ["lint", "--ruleset", join(root, ".spectral.yaml"), "--format", "json", "--output", report, "--quiet", ...files],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
  );
  const output = [];
  spectral.stdout.on("data", (chunk) => output.push(chunk));
  spectral.stderr.on("data", (chunk) => output.push(chunk));
  const status = await new Promise((done) => spectral.once("close", done));
  let results;
  try {
    results = JSON.parse(readFileSync(report, "utf8"));
  } catch {
    process.stderr.write(Buffer.concat(output).toString());
    throw new Error(`spectral failed (exit ${status}) without a report`);
  }
  const errors = results.filter((r) => r.severity === 0);
  const others = results.filter((r) => r.severity !== 0);
  for (const r of errors) {
    const where = r.path.length > 0 ? r.path.join(".") : `line ${r.range.start.line + 1}`;
    console.log(`  error  ${relative(outDir, r.source)}  ${r.code}  ${where}: ${r.message}`);
  }
  const byRule = new Map();
  for (const r of others) byRule.set(r.code, (byRule.get(r.code) ?? 0) + 1);
  if (byRule.size > 0) {
    const list = [...byRule].sort((a, b) => b[1] - a[1]).map(([code, n]) => `${code} ${n}`);
    console.log(`  ${others.length} warnings and hints (not fatal): ${list.join(", ")}`);
  }
  return errors.length;
}

const outDir = args.out ? resolve(args.out) : mkdtempSync(join(tmpdir(), "comptoir-openapi-docs-"));
try {
  mkdirSync(outDir, { recursive: true });
  const { documents, stopped } = await dumpDocuments();
  const files = Object.entries(documents).map(([service, document]) => {
    const file = join(outDir, `${service}.json`);
    writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
    return file;
  });
  console.log(
    `${files.length} OpenAPI documents in ${seconds()}${args.out ? `: ${relative(root, outDir) || "."}` : ""}`,
  );
  if (args.lint) {
    const errors = await lint(files, outDir);
    console.log(
      errors === 0
        ? `Spectral (.spectral.yaml): no error in ${files.length} documents (${seconds()})`
        : `Spectral (.spectral.yaml): ${errors} errors (${seconds()})`,
    );
    process.exitCode = errors === 0 ? 0 : 1;
  }
  await stopped;
} catch (error) {
  console.error(`openapi-dump: ${error.message}`);
  process.exitCode = 1;
} finally {
  if (!args.out) rmSync(outDir, { recursive: true, force: true });
}
