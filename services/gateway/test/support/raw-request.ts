import { request } from "node:http";

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
