import { request } from "node:http";
import { connect } from "node:net";

/**
 * A request through node:http, which (unlike fetch) sends any header as given — hop-by-hop ones
 * included — and can stream a body in chunks.
 */
export function rawRequest(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: Buffer | Buffer[];
    /** The client's source address (any 127.x.y.z on loopback): another client IP for the gateway. */
    localAddress?: string;
  } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const requestOptions = {
      method: options.method ?? "GET",
      headers: options.headers,
      agent: false as const,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    };
    const req = request(url, requestOptions, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    const parts = options.body === undefined ? [] : Array.isArray(options.body) ? options.body : [options.body];
    for (const part of parts) req.write(part);
    req.end();
  });
}

/**
 * Sends a request line exactly as given, over a plain socket: the target goes out byte for byte
 * (node:http and fetch would resolve `..`, drop fragments or refuse some spellings first).
 */
export function rawTarget(
  baseUrl: string,
  target: string,
  options: { method?: string; host?: string; body?: string } = {},
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const body = options.body ?? "";
    socket.on("connect", () => {
      socket.write(
        `${options.method ?? "GET"} ${target} HTTP/1.1\r\nHost: ${options.host ?? `${hostname}:${port}`}\r\n` +
          `Connection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        "latin1",
      );
    });
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", reject);
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
  });
}
