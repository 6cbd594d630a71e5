import { createServer, type Server } from "node:net";

function listen(port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ port, host, exclusive: true }, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** True when nothing listens on `host:port` (binding 0.0.0.0 also detects a listener on 127.0.0.1). */
export async function isPortFree(port: number, host: string): Promise<boolean> {
  try {
    await close(await listen(port, host));
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") return false;
    if (code === "EACCES") throw new Error(`not allowed to listen on port ${port} (ports below 1024 need privileges)`);
    throw error;
  }
}

/** The first free port from `from` upward, skipping `avoid`. */
export async function firstFreePort(from: number, host: string, avoid: readonly number[] = []): Promise<number> {
  for (let port = from; port <= Math.min(from + 200, 65535); port++) {
    if (!avoid.includes(port) && (await isPortFree(port, host))) return port;
  }
  throw new Error(`no free port between ${from} and ${from + 200}`);
}

/**
 * `count` distinct ports chosen by the system, never one of `avoid`. All are held open until the
 * last is chosen, so none is handed out twice.
 */
export async function freePorts(count: number, host: string, avoid: readonly number[] = []): Promise<number[]> {
  const held: Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < count) {
      const server = await listen(0, host);
      held.push(server);
      const { port } = server.address() as { port: number };
      if (!avoid.includes(port)) ports.push(port);
    }
    return ports;
  } finally {
    await Promise.all(held.map(close));
  }
}
