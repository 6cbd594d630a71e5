#!/usr/bin/env node
// A TCP forwarder, run as a child process of the multi-host test: listens on `<address>:<port>` for
// each port given and pipes every connection to 127.0.0.1:<port> (the machine's PostgreSQL, NATS and
// Redis listen on loopback only). Usage: node forwarder.mjs <address> <port>...
// Prints "ready" once every port listens; exits when its parent goes away (stdin closes).
//
// It stands for the network between a host and the servers, so it must not hide a host cut off:
// PostgreSQL's own keepalives and tcp_user_timeout (set by every connection, see the platform's
// pool.ts) reach only the forwarder, which stays alive. So the forwarder gives up a connection whose
// host side is gone as the server would: TCP keepalives after 2 s of silence, 3 a second apart, and
// 5 s at most for data it sent to be acknowledged (TCP_USER_TIMEOUT) — then it closes both sides,
// and PostgreSQL rolls back the cut instance's transaction. socat (Debian's package) sets all of
// that; without it, Node's forwarder sets the keepalives only (Node cannot set TCP_USER_TIMEOUT).
import { spawn, spawnSync } from "node:child_process";
import { connect, createConnection, createServer } from "node:net";

const [address, ...ports] = process.argv.slice(2);
const KEEPALIVE = { enable: true, initialDelay: 2_000, interval: 1_000, count: 3 };
const IPPROTO_TCP = 6;
const TCP_USER_TIMEOUT = 18;

function nodeForward(port) {
  const server = createServer((inbound) => {
    const outbound = createConnection({ host: "127.0.0.1", port });
    inbound.setNoDelay(true);
    inbound.setKeepAlive(KEEPALIVE);
    outbound.setNoDelay(true);
    const close = () => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on("error", close).on("close", close);
    outbound.on("error", close).on("close", close);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: address, port: Number(port), backlog: 1024 }, resolve);
  });
}

const children = [];
function socatForward(port) {
  const listen = [
    `TCP-LISTEN:${port}`,
    `bind=${address}`,
    "reuseaddr",
    "fork",
    "backlog=1024",
    "nodelay",
    "keepalive",
    "keepidle=2",
    "keepintvl=1",
    "keepcnt=3",
    `setsockopt-int=${IPPROTO_TCP}:${TCP_USER_TIMEOUT}:5000`,
  ].join(",");
  const child = spawn("socat", [listen, `TCP:127.0.0.1:${port},nodelay`], { stdio: ["ignore", "ignore", "inherit"] });
  children.push(child);
  child.once("exit", (code) => {
    process.stderr.write(`forwarder: socat for port ${port} exited with ${code}\n`);
    process.exit(1);
  });
  return listening(port);
}

/** Resolves once `address:port` accepts a connection (socat listens a moment after it starts). */
async function listening(port) {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise((resolve) => {
      const socket = connect({ host: address, port: Number(port) });
      socket.once("connect", () => resolve(true));
      socket.once("error", () => resolve(false));
    }).finally(() => {});
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on ${address}:${port}`);
}

const withSocat = spawnSync("socat", ["-V"], { stdio: "ignore" }).status === 0;
const stop = () => {
  for (const child of children) child.kill();
  process.exit(0);
};
try {
  await Promise.all(ports.map(withSocat ? socatForward : nodeForward));
  process.stdout.write(`ready (${withSocat ? "socat" : "node, keepalives only"})\n`);
} catch (error) {
  process.stderr.write(`forwarder: ${error.message}\n`);
  for (const child of children) child.kill();
  process.exit(1);
}
process.stdin.on("close", stop);
process.on("SIGTERM", stop);
process.stdin.resume();
