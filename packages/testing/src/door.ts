import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A switchable proxy in front of a service, to take it away in a test without stopping it:
 * `up` forwards; `down` cuts each request's connection (no answer at all); `blackhole` forwards
 * the request but drops the answer (it happened; the caller never hears).
 */
export interface Door {
  url: string;
  mode: "up" | "down" | "blackhole";
  close(): Promise<void>;
}

export async function openDoor(target: string): Promise<Door> {
  const door: Door = { url: "", mode: "up", close: async () => {} };
  const server: Server = createServer((req, res) => {
    if (door.mode === "down") return req.socket.destroy();
    const upstream = httpRequest(new URL(req.url!, target), { method: req.method, headers: req.headers }, (answer) => {
      if (door.mode === "blackhole") {
        answer.resume();
        answer.on("end", () => req.socket.destroy());
        return;
      }
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => req.socket.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  door.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  door.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return door;
}
