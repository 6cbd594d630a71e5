// The platform spread over the hosts as deploy/test-image.sh runs it, but as processes in network
// namespaces instead of containers: each instance is `comptoir service <name>` in its host's
// namespace, listening on the host's address, with the environment of an operator's deployment (its
// database <run>_<service> and NATS prefix <run> on the machine's servers through the forwarders,
// real secrets, every instance's address in <SERVICE>_URLS and the gateway's UPSTREAM_<SERVICE>).
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LAUNCHER, ROOT, sleep } from "../../chaos/lib/processes.mjs";

export const BACKENDS = [
  "identity",
  "catalog",
  "inventory",
  "supply",
  "cart",
  "orders",
  "payments",
  "retail",
  "reporting",
  "search",
  "notifications",
];
/** The services' own ports (DEFAULT_PORTS): every host has an address of its own, so no two collide. */
export const PORTS = {
  gateway: 8080,
  ...Object.fromEntries(BACKENDS.map((s, k) => [s, 3001 + k])),
};
/**
 * DATABASE_POOL_SIZE per instance: 22 instances share the machine's PostgreSQL (max_connections 100)
 * with a session connection each, so 2 by default (as deploy/test-image.sh), more for the services
 * on the checkout path (the shop test's 200 simultaneous checkouts wait on them; pg's pool gives up
 * after 5 s). At most about 85 connections when every pool is full.
 */
const POOL_SIZES = { orders: 6, inventory: 4, payments: 4, cart: 3, catalog: 3 };
const CREDENTIAL_HOLDERS = ["gateway", "supply", "cart", "orders", "retail"];
const JWKS_PATH = "/api/identity/.well-known/jwks.json";

const secret = () => randomBytes(36).toString("base64url");

/**
 * Where each instance runs: instance k of the 2 × 11 (service order, then instance number) goes to
 * host k mod 3, so every host holds a mix and no service has both instances on one host.
 */
export function placement(hostNames, perService = 2) {
  const list = [];
  let k = 0;
  for (const service of BACKENDS) {
    for (let n = 1; n <= perService; n++)
      list.push({ service, n, id: `${service}-${n}`, host: hostNames[k++ % hostNames.length] });
  }
  return list;
}

/**
 * Builds every instance's environment. `net`: the network (bridgeIp, hosts); `run`: the prefix of
 * databases, NATS streams and Redis keys; `common`: the harness's own variables (PATH, HOME, …).
 */
export function configure({ net, run, dataDir, common, instances, gatewayConfig, logLevel = "warn" }) {
  const internalSecret = secret();
  const keysSecret = secret();
  const credential = {};
  for (const holder of CREDENTIAL_HOLDERS) {
    const res = spawnSync(process.execPath, [LAUNCHER, "secrets", "credential", holder], {
      cwd: ROOT,
      env: { ...common, INTERNAL_SECRET: internalSecret },
      encoding: "utf8",
    });
    if (res.status !== 0) throw new Error(`comptoir secrets credential ${holder}: ${res.stderr}`);
    credential[holder] = res.stdout.trim();
  }
  const url = (i) => `http://${net.hosts[i.host].ip}:${PORTS[i.service]}`;
  for (const i of instances) i.url = url(i);
  const urlsOf = (service) =>
    instances
      .filter((i) => i.service === service)
      .map(url)
      .join(",");
  const identity1 = instances.find((i) => i.id === "identity-1");
  const b = net.bridgeIp;
  const shared = {
    ...common,
    COMPTOIR_HOSTS_RUN: run,
    COMPTOIR_DATA: dataDir,
    // Demo mode (the shop test signs in as the demo users and buys the demo catalog): identity
    // refuses it in production, so development here; the secrets are real all the same.
    NODE_ENV: "development",
    COMPTOIR_DEMO: "true",
    LOG_LEVEL: logLevel,
    SHUTDOWN_TIMEOUT_MS: "15000",
    NATS_URL: `nats://${b}:4222`,
    NATS_PREFIX: run,
    // As the launcher and deploy/test-image.sh do: one identity instance's address (a single URL).
    JWKS_URL: `${url(identity1)}${JWKS_PATH}`,
    IDENTITY_URL: url(identity1),
    ...Object.fromEntries(BACKENDS.map((s) => [`${s.toUpperCase()}_URLS`, urlsOf(s)])),
  };
  const envOf = (i, migrations = "check") => {
    const env = {
      ...shared,
      HOST: net.hosts[i.host].ip,
      PORT: String(PORTS[i.service]),
      INSTANCE_ID: i.id,
      DATABASE_MIGRATIONS: migrations,
      DATABASE_POOL_SIZE: String(POOL_SIZES[i.service] ?? 2),
    };
    if (i.service === "gateway") {
      delete env.JWKS_URL; // the gateway's default: fetched through its identity upstream (every instance)
      for (const s of BACKENDS) env[`UPSTREAM_${s.toUpperCase()}`] = urlsOf(s);
      env.REDIS_URL = `redis://${b}:6379`;
      if (gatewayConfig) env.GATEWAY_CONFIG = gatewayConfig;
      env.RATE_LIMIT_KEY_PREFIX = `${run}:`;
      // The shop test and the load come from one address and a few users: the rate limits are not under test.
      env.RATE_LIMIT_ANONYMOUS = "1000000000";
      env.RATE_LIMIT_USER = "1000000000";
    } else {
      env.DATABASE_URL = `postgres://postgres@${b}:5432/${run}_${i.service}`;
    }
    if (i.service === "identity") Object.assign(env, { INTERNAL_SECRET: internalSecret, KEYS_SECRET: keysSecret });
    if (i.service === "payments") env.PAYMENTS_PROVIDER = "test";
    if (credential[i.service]) env.SERVICE_CREDENTIAL = credential[i.service];
    return env;
  };
  return { envOf, shared };
}

/**
 * One instance in its namespace: `ip netns exec <ns> node main.js service <name>`, its output in
 * <logDir>/<id>.log (appended: a restarted instance adds to it). `ip netns exec` execs node, so the
 * child's pid is the service's.
 */
export function startInstance(i, ns, env, logDir, suffix = "") {
  const file = join(logDir, `${i.id}${suffix}.log`);
  const fd = openSync(file, "a");
  const child = spawn("ip", ["netns", "exec", ns, process.execPath, LAUNCHER, "service", i.service], {
    cwd: ROOT,
    env,
    stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  child.logFile = file;
  return child;
}

/** Runs `DATABASE_MIGRATIONS=only` for `instance` in `ns` and waits for its exit (0, or throws with its log). */
export async function migrate(i, ns, env, logDir) {
  const child = startInstance(i, ns, env, logDir, ".migrate");
  const code = await new Promise((r) => child.once("exit", (c) => r(c)));
  if (code !== 0) {
    const tail = readFileSync(child.logFile, "utf8").split("\n").slice(-20).join("\n");
    throw new Error(`the migrations of ${i.service} exited with ${code}:\n${tail}`);
  }
}

/** Until `url` answers 200 (or `child` exits, or `timeoutMs`). */
export async function waitFor(url, { timeoutMs = 180_000, children = [] } = {}) {
  const started = Date.now();
  let last = "";
  while (Date.now() - started < timeoutMs) {
    for (const c of children) {
      if (c.exitCode !== null || c.signalCode !== null) {
        const tail = readFileSync(c.logFile, "utf8").split("\n").slice(-15).join("\n");
        throw new Error(`${c.instanceId} exited (${c.exitCode ?? c.signalCode}) while starting:\n${tail}`);
      }
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      last = `${res.status} ${(await res.text()).slice(0, 400)}`;
      if (res.status === 200) return (Date.now() - started) / 1000;
    } catch (error) {
      last = String(error.cause?.code ?? error);
    }
    await sleep(250);
  }
  throw new Error(`${url} not 200 after ${timeoutMs / 1000} s; last answer: ${last}`);
}
