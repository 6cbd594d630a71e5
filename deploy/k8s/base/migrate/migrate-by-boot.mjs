// The migration Job's program (deploy/k8s/base/migrate/job.yaml), mounted from a ConfigMap and run
// with the image's node. Comptoir has no `comptoir migrate` yet: every service applies its own
// migrations when it starts, under an advisory lock, before it listens. So this starts each service
// in turn, on 127.0.0.1 only, waits until it answers /health/ready (its database is migrated), and
// stops it with SIGTERM (a graceful stop). The Deployments rolled out afterwards find nothing to do.
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

/** Every service with a database, identity first; the gateway has none. Their default ports. */
const PORTS = {
  identity: 3001,
  catalog: 3002,
  inventory: 3003,
  supply: 3004,
  cart: 3005,
  orders: 3006,
  payments: 3007,
  retail: 3008,
  reporting: 3009,
  search: 3010,
  notifications: 3011,
};
/** The secret's keys: each service gets only its own, under the names it reads. */
const SECRET_KEY = /(_DATABASE_URL|_SERVICE_CREDENTIAL)$|^(KEYS_SECRET|INTERNAL_SECRET|SMTP_URL)$/;
const timeoutMs = Number(process.env.MIGRATE_SERVICE_TIMEOUT_MS ?? 300_000);
const command = process.env.COMPTOIR_BIN ?? "comptoir";

function log(msg, extra = {}) {
  process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), service: "migrate", msg, ...extra })}\n`);
}

function envOf(service) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !SECRET_KEY.test(key)));
  const prefix = service.toUpperCase();
  const databaseUrl = process.env[`${prefix}_DATABASE_URL`];
  if (!databaseUrl) throw new Error(`${prefix}_DATABASE_URL is missing from the secret comptoir-secrets`);
  Object.assign(env, {
    DATABASE_URL: databaseUrl,
    PORT: String(PORTS[service]),
    HOST: "127.0.0.1",
    INSTANCE_ID: `migrate-${service}`,
  });
  const credential = process.env[`${prefix}_SERVICE_CREDENTIAL`];
  if (credential) env.SERVICE_CREDENTIAL = credential;
  if (service === "identity") {
    env.KEYS_SECRET = process.env.KEYS_SECRET ?? "";
    env.INTERNAL_SECRET = process.env.INTERNAL_SECRET ?? "";
  }
  // Only what a start checks: no image is written and no card charged while it migrates.
  if (service === "catalog") env.IMAGES_DIR = "/tmp/images";
  if (service === "payments") env.PAYMENTS_PROVIDER ??= "test";
  return env;
}

async function isReady(port) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

async function migrate(service) {
  const started = Date.now();
  const child = spawn(command, ["service", service], { env: envOf(service), stdio: "inherit" });
  let exit;
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve((exit = code ?? signal))));
  child.once("error", (error) => {
    exit = error.message;
  });
  while (exit === undefined && !(await isReady(PORTS[service]))) {
    if (Date.now() - started > timeoutMs) {
      child.kill("SIGKILL");
      throw new Error(`${service} was not ready within ${timeoutMs} ms`);
    }
    await sleep(500);
  }
  if (exit !== undefined) throw new Error(`${service} stopped before it was ready (exit ${exit})`);
  child.kill("SIGTERM");
  const code = await exited;
  if (code !== 0) throw new Error(`${service} did not stop cleanly (exit ${code})`);
  log(`${service}: migrated`, { durationMs: Date.now() - started });
}

const only = process.argv.slice(2);
try {
  for (const service of only.length > 0 ? only : Object.keys(PORTS)) {
    if (!(service in PORTS)) throw new Error(`unknown service ${service}: one of ${Object.keys(PORTS).join(", ")}`);
    await migrate(service);
  }
  log("every database migrated");
} catch (error) {
  process.stdout.write(`${JSON.stringify({ level: 50, time: Date.now(), service: "migrate", msg: error.message })}\n`);
  process.exitCode = 1;
}
