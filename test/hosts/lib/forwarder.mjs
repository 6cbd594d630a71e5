#!/usr/bin/env node
// A TCP forwarder, run as a child process of the multi-host test: listens on `<address>:<port>` for
// each port given and pipes every connection to 127.0.0.1:<port> (the machine's PostgreSQL, NATS and
// Redis listen on loopback only). Usage: node forwarder.mjs <address> <port>...
// Prints "ready" once every port listens; exits when its parent goes away (stdin closes).
import { createConnection, createServer } from "node:net";

const [address, ...ports] = process.argv.slice(2);

function forward(port) {
  const server = createServer((inbound) => {
    const outbound = createConnection({ host: "127.0.0.1", port });
    inbound.setNoDelay(true);
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

try {
  await Promise.all(ports.map(forward));
  process.stdout.write("ready\n");
} catch (error) {
  process.stderr.write(`forwarder: ${error.message}\n`);
  process.exit(1);
}
process.stdin.on("close", () => process.exit(0));
process.stdin.resume();
