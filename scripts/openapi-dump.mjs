// Every service's own OpenAPI document (internal operations included), and with --lint their check
// by Spectral against .spectral.yaml (its OpenAPI rules and OWASP's): `npm run lint:openapi`.
//
// The documents are the services' `/openapi.json`, generated from their route schemas at run time,
// so the platform is booted once with the launcher (built bundles: run `npm run build` first) on a
// data folder of its own (embedded PostgreSQL, no demo data, nothing of the environment's
// databases, NATS or Redis), each service's document is fetched from the instance runtime.json
// names, and the platform is stopped.
//
//   node scripts/openapi-dump.mjs [--out DIR] [--lint]
//
// --out DIR keeps the documents there (<service>.json); without it they go to a temporary folder,
// removed at the end. --lint exits 1 when Spectral reports an error (warnings are counted, not
// fatal); the errors are listed one per line.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: args } = parseArgs({ options: { out: { type: "string" }, lint: { type: "boolean" } } });
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;

const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

/** A port nothing listens on now. */
function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

/** The launcher's environment: this one, less whatever would point it at other servers or secrets. */
function launcherEnv(dataDir, port) {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/(^|_)DATABASE_URL$|^(EVENT_LOG_URL|NATS_URL|NATS_PREFIX|REDIS_URL|INTERNAL_SECRET|KEYS_SECRET)$/.test(name)) {
      delete env[name];
    }
  }
  delete env.COMPTOIR_PG_PORT;
  delete env.NODE_ENV;
  return { ...env, COMPTOIR_DATA: dataDir, PORT: String(port), HOST: "127.0.0.1", COMPTOIR_DEMO: "false" };
}

function readRuntime(dataDir) {
  try {
    const info = JSON.parse(readFileSync(join(dataDir, "runtime.json"), "utf8"));
    return info.services ? info : undefined;
  } catch {
    return undefined;
  }
}

async function fetchDocument(url) {
  const response = await fetch(`${url}/openapi.json`, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${url}/openapi.json answered ${response.status}`);
  return response.json();
}

/**
 * Boots the platform and fetches every document: `{ documents: { service: document }, stopped }`,
 * where `stopped` settles once the platform has stopped and its data folder is gone (the lint runs
 * meanwhile).
 */
async function dumpDocuments() {
  const dataDir = mkdtempSync(join(tmpdir(), "comptoir-openapi-"));
  const output = [];
  const launcher = spawn(process.execPath, [join(root, "packages/cli/dist/main.js"), "up"], {
    cwd: root,
    env: launcherEnv(dataDir, await freePort()),
    stdio: ["ignore", "pipe", "pipe"],
  });
  launcher.stdout.on("data", (chunk) => output.push(chunk));
  launcher.stderr.on("data", (chunk) => output.push(chunk));
  const exited = new Promise((done) => launcher.once("exit", (code, signal) => done({ code, signal })));
  let running = true;
  void exited.then(() => (running = false));
  const failWith = (message) => {
    process.stderr.write(Buffer.concat(output).toString());
    throw new Error(message);
  };
  const stop = async () => {
    if (running) {
      launcher.kill("SIGINT");
      const timer = setTimeout(() => launcher.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    let runtime;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(runtime = readRuntime(dataDir))) {
      if (!running) failWith("the platform stopped before it was ready (its output is above)");
      if (Date.now() > deadline) failWith(`the platform was not ready within ${READY_TIMEOUT_MS / 1000} s`);
      await new Promise((done) => setTimeout(done, 200));
    }
    const targets = [
      ...Object.entries(runtime.services).map(([service, urls]) => [service, urls[0]]),
      ["gateway", runtime.gatewayUrl],
    ];
    const documents = {};
    for (const [service, url] of targets) documents[service] = await fetchDocument(url);
    return { documents, stopped: stop() };
  } catch (error) {
    await stop();
    throw error;
  }
}

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
