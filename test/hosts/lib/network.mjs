// The hosts: one Linux bridge in the root namespace and one network namespace per host, each joined
// to the bridge by a veth pair, on a private /24 of 10.231.0.0/16 that nothing on the machine uses.
// The bridge's address carries the forwarders to the machine's PostgreSQL, NATS and Redis (they
// listen on loopback only). Names carry the harness's pid (run mh<pid>): `removeStale()` removes
// what a run that died left behind, and `remove()` (synchronous, for the exit handlers) this run's.
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const NETNS_PREFIX = "comptoir-mh";

function ip(args, { allowFailure = false } = {}) {
  const res = spawnSync("ip", args, { encoding: "utf8" });
  if (res.status !== 0 && !allowFailure) throw new Error(`ip ${args.join(" ")}: ${res.stderr.trim() || res.status}`);
  return res.stdout;
}

export const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
};

/** Processes whose environment carries COMPTOIR_HOSTS_RUN=<run> (any run when `run` is undefined): [{pid, run}]. */
export function processesOfRun(run) {
  const found = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    let environ;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, "utf8");
    } catch {
      continue;
    }
    const found_ = /(?:^|\0)COMPTOIR_HOSTS_RUN=(mh\d+)\0/.exec(environ)?.[1];
    if (found_ && (run === undefined || found_ === run)) found.push({ pid: Number(pid), run: found_ });
  }
  return found;
}

function killAll(pids) {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGCONT");
      process.kill(pid, "SIGKILL");
    } catch {}
  }
}

/** Namespaces and links of `run` (mh<pid>), or of every run whose harness is gone. */
function removeLinksAndNamespaces(match) {
  for (const line of ip(["netns", "list"], { allowFailure: true }).split("\n")) {
    const name = line.split(" ")[0];
    const run = new RegExp(`^${NETNS_PREFIX}(\\d+)-`).exec(name)?.[1];
    if (run && match(`mh${run}`)) ip(["netns", "delete", name], { allowFailure: true });
  }
  for (const line of ip(["-o", "link", "show"], { allowFailure: true }).split("\n")) {
    const name = /^\d+: ([^:@]+)/.exec(line)?.[1];
    const run = /^cmh(\d+)(?:br|h\d+a|gwa)$/.exec(name ?? "")?.[1];
    if (run && match(`mh${run}`)) ip(["link", "delete", name], { allowFailure: true });
  }
}

/** What runs that died (their harness's pid is gone) left: processes, namespaces, links, data. */
export function removeStale(purgeScript) {
  const isStale = (run) => !alive(Number(run.slice(2)));
  const leftovers = processesOfRun().filter((p) => isStale(p.run));
  killAll(leftovers.map((p) => p.pid));
  removeLinksAndNamespaces(isStale);
  const res = spawnSync(process.execPath, [purgeScript, "--stale"], { encoding: "utf8", timeout: 60_000 });
  const said = `${res.stdout}${res.stderr}`.trim();
  return [leftovers.length ? `${leftovers.length} processes of dead runs killed` : "", said].filter(Boolean);
}

/** A /24 of 10.231.0.0/16 no address or route of the machine uses. */
function freeSubnet(seed) {
  const used = ip(["-4", "route", "show", "table", "all"], { allowFailure: true }) + ip(["-4", "addr"]);
  for (let k = 0; k < 250; k++) {
    const n = 1 + ((seed + k) % 250);
    if (!used.includes(`10.231.${n}.`)) return `10.231.${n}`;
  }
  throw new Error("no free /24 in 10.231.0.0/16");
}

/**
 * Creates the bridge and one namespace per name in `hosts` (e.g. h1, h2, h3, gw): loopback up, eth0
 * on the bridge with its own address. Returns {bridgeIp, hosts: {name: {ns, ip, link}}, remove()}.
 */
export function createNetwork(run, hostNames) {
  const id = run.slice(2);
  const subnet = freeSubnet(Number(id));
  const bridge = `cmh${id}br`;
  const net = { run, subnet, bridge, bridgeIp: `${subnet}.1`, hosts: {} };
  net.remove = () => removeLinksAndNamespaces((r) => r === run);
  ip(["link", "add", bridge, "type", "bridge"]);
  ip(["addr", "add", `${net.bridgeIp}/24`, "dev", bridge]);
  ip(["link", "set", bridge, "up"]);
  hostNames.forEach((name, k) => {
    const ns = `${NETNS_PREFIX}${id}-${name}`;
    const link = `cmh${id}${name}a`;
    const peer = `cmh${id}${name}b`;
    const address = `${subnet}.${name === "gw" ? 100 : 10 + k + 1}`;
    ip(["netns", "add", ns]);
    ip(["link", "add", link, "type", "veth", "peer", "name", peer]);
    ip(["link", "set", peer, "netns", ns]);
    ip(["link", "set", link, "master", bridge]);
    ip(["link", "set", link, "up"]);
    ip(["-n", ns, "link", "set", "lo", "up"]);
    ip(["-n", ns, "link", "set", peer, "name", "eth0"]);
    ip(["-n", ns, "addr", "add", `${address}/24`, "dev", "eth0"]);
    ip(["-n", ns, "link", "set", "eth0", "up"]);
    net.hosts[name] = { name, ns, ip: address, link };
  });
  return net;
}

/** Cuts a host off (its veth's end on the bridge down: packets vanish, connections hang) or joins it again. */
export function setLink(host, up) {
  ip(["link", "set", host.link, up ? "up" : "down"]);
}

/**
 * The forwarders (a child process, so that their traffic does not share the harness's event loop):
 * `<bridgeIp>:<port>` → 127.0.0.1:<port> for each port. Resolves once they listen.
 */
export function startForwarders(net, ports, env, logDir) {
  const child = spawn(
    process.execPath,
    [join(import.meta.dirname, "forwarder.mjs"), net.bridgeIp, ...ports.map(String)],
    {
      env,
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stderr.on("data", (d) => (output += d));
  return new Promise((resolve, reject) => {
    child.stdout.once("data", (d) => {
      // "ready (socat)", or "ready (node, keepalives only)" without socat.
      if (String(d).startsWith("ready")) resolve(Object.assign(child, { kind: String(d).trim().slice(7, -1) }));
    });
    child.once("exit", (code) => reject(new Error(`the forwarder exited with ${code}: ${output} (logs in ${logDir})`)));
  });
}
