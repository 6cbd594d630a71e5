import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** What an instance received. */
export interface Hit {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bodyLength: number;
  bodySha256: string;
}

/**
 * A tiny service instance at the HTTP edge: echoes what it receives, with a readiness it can flip,
 * a slow route, a big streamed response, and a crash mode. Stands in for a real service in tests
 * that are about the gateway only.
 */
export interface FakeUpstream {
  name: string;
  url: string;
  hits: Hit[];
  /** `/health/ready` answers 200 when true, 503 when false. */
  healthy: boolean;
  /** `/health/ready` answers after this many milliseconds. */
  healthDelayMs: number;
  /** Every `/api` request is read, then its connection destroyed (a crash mid-request). */
  crash: boolean;
  /** Answers every request to a `/held` path waiting so far (they wait until then, however long). */
  release(): void;
  /** Stops listening and drops open connections: the instance is gone. */
  close(): Promise<void>;
  /**
   * Stops accepting connections and answering anything, open connections left hanging: what the
   * gateway sees of a host cut off the network (no new connection opens, nothing comes back).
   */
  vanish(): void;
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

export async function startFakeUpstream(name: string): Promise<FakeUpstream> {
  const fake: FakeUpstream = {
    name,
    url: "",
    hits: [],
    healthy: true,
    healthDelayMs: 0,
    crash: false,
    vanish: () => {},
    release: () => {
      for (const answer of held.splice(0)) answer();
    },
    close: async () => {},
  };
  const held: (() => void)[] = [];

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    if (url.pathname === "/health/ready") {
      if (fake.healthDelayMs > 0) await new Promise((r) => setTimeout(r, fake.healthDelayMs));
      res.writeHead(fake.healthy ? 200 : 503, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: fake.healthy ? "ok" : "unavailable" }));
      return;
    }
    if (url.pathname === "/openapi.json") {
      res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      const prefix = `/api/${name.replace(/-\d+$/, "")}`;
      const paths = {
        [`${prefix}/products`]: { get: { summary: "public" } },
        [`${prefix}/internal/stock`]: { post: { summary: "internal" } },
        [`${prefix}/admin/events/dead-letters`]: { get: { summary: "admin" } },
      };
      res.end(JSON.stringify({ openapi: "3.1.0", info: { title: `Comptoir ${name}`, version: "0.1.0" }, paths }));
      return;
    }

    if (url.pathname.endsWith("/early")) {
      // Answers before reading the upload, as a route whose guard refuses the caller does.
      res.writeHead(403, { "content-type": "application/json", "x-fake-instance": name });
      res.end(JSON.stringify({ instance: name, early: true }));
      return;
    }

    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      // The gateway gave up on the upload (e.g. it grew past the body limit): nothing to answer.
      return;
    }
    const body = Buffer.concat(chunks);
    const hit: Hit = {
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      bodyLength: body.length,
      bodySha256: sha256(body),
    };
    fake.hits.push(hit);

    if (fake.crash) {
      req.socket.destroy();
      return;
    }
    if (url.pathname.endsWith("/held")) {
      await new Promise<void>((r) => held.push(r));
      if (res.destroyed) return;
    }
    if (url.pathname.endsWith("/slow")) {
      await new Promise((r) => setTimeout(r, Number(url.searchParams.get("ms") ?? 1000)));
      if (res.destroyed) return;
    }
    if (url.pathname.endsWith("/big")) {
      // Streamed in 64 KiB chunks of a repeating pattern, chunked (no content-length).
      const total = Number(url.searchParams.get("bytes") ?? 1_000_000);
      res.writeHead(200, { "content-type": "application/octet-stream", "x-fake-instance": name });
      const block = Buffer.alloc(64 * 1024, "comptoir ");
      let sent = 0;
      while (sent < total && !res.destroyed) {
        const piece = block.subarray(0, Math.min(block.length, total - sent));
        sent += piece.length;
        if (!res.write(piece)) await new Promise((r) => res.once("drain", r));
      }
      res.end();
      return;
    }

    // A response a shared cache may keep, as the query says (`cc`: its Cache-Control, `status`, `vary`).
    if (url.pathname.endsWith("/cacheable")) {
      const payload = JSON.stringify({ instance: name, served: fake.hits.length });
      res.writeHead(Number(url.searchParams.get("status") ?? 200), {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(payload),
        "cache-control": url.searchParams.get("cc") ?? "public, max-age=0, s-maxage=1",
        ...(url.searchParams.get("vary") ? { vary: url.searchParams.get("vary")! } : {}),
        ...(url.searchParams.get("cookie") ? { "set-cookie": "c=1; Path=/" } : {}),
      });
      res.end(payload);
      return;
    }

    const status = Number(req.headers["x-fake-status"] ?? 200);
    const headers: Record<string, string | string[]> = {
      "x-fake-instance": name,
      "set-cookie": ["a=1; Path=/", "b=2; Path=/"],
      "cache-control": "no-store",
    };
    if (status === 204 || req.method === "HEAD") {
      res.writeHead(status, { ...headers, ...(req.method === "HEAD" ? { "content-length": "123" } : {}) });
      res.end();
      return;
    }
    res.writeHead(status, { ...headers, "content-type": "application/json" });
    res.end(JSON.stringify({ instance: name, ...hit, body: body.length <= 64 * 1024 ? body.toString("utf8") : null }));
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.vanish = () => {
    fake.healthDelayMs = 3_600_000;
    server.close();
  };
  fake.close = () =>
    new Promise<void>((resolve) => {
      fake.release();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return fake;
}
