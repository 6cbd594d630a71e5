// Boots the platform once and fetches every service's own OpenAPI document (its `/openapi.json`,
// generated from its route schemas at run time, internal operations included): shared by
// scripts/openapi-dump.mjs (Spectral) and scripts/openapi.mjs (the committed documents).
//
// The launcher (built bundles: run `npm run build` first) runs on a data folder of its own
// (embedded PostgreSQL, no demo data) with an environment reduced to what any process needs, so
// nothing of the caller's shell (databases, NATS, Redis, secrets, a payment provider, log level)
// changes what is served; each service's document is fetched from the instance runtime.json names.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const READY_TIMEOUT_MS = 180_000;
const STOP_TIMEOUT_MS = 30_000;
/** What the launcher and PostgreSQL need from the environment; everything else is left out. */
const KEPT = /^(PATH|HOME|USER|LOGNAME|SHELL|TMPDIR|TMP|TEMP|LANG|LC_[A-Z]+|TZ)$/;

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

function launcherEnv(dataDir, port) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => KEPT.test(name)));
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
 * Boots the platform and fetches every document, the gateway's own included:
 * `{ documents: { service: document }, stopped }`, where `stopped` settles once the platform has
 * stopped and its data folder is gone (the caller works on the documents meanwhile).
 */
export async function dumpDocuments() {
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
