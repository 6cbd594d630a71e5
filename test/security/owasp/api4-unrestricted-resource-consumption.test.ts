import { BACKEND_SERVICES } from "@comptoir/contracts";
import { randomUUID } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { call, expectProblem, token } from "../support/platform";
import { newProduct, uploadImage } from "../support/shop";

/**
 * OWASP API4:2023 Unrestricted Resource Consumption — what one client can make the platform spend:
 * pages and page sizes (every list of every published document), request bodies, image decoding,
 * and requests themselves (the rate limits, made-up API keys included), through the gateway.
 */
const FROM = "127.0.4.1";

const SERVICES = BACKEND_SERVICES;

/** A PNG whose header claims `width` × `height` pixels, with a few bytes of (too little) data. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed) >>> 0);
    return Buffer.concat([length, typed, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // 8-bit greyscale
  const pixels = width * height <= 4096 ? Buffer.alloc((width + 1) * height) : Buffer.alloc(1024);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(pixels)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

describe("API4 unrestricted resource consumption", () => {
  it("every published list refuses a page or a page size beyond its bounds with 400 (page=1e17 included)", async () => {
    const admin = await token("admin", FROM);
    let lists = 0;
    for (const service of SERVICES) {
      const doc = await call("GET", `/docs/${service}/openapi.json`, { from: FROM });
      for (const [path, operations] of Object.entries<any>(doc.body.paths)) {
        const params = (operations.get?.parameters ?? []) as { name: string; in: string; schema: any }[];
        const page = params.find((p) => p.in === "query" && p.name === "page")?.schema;
        const limit = params.find((p) => p.in === "query" && p.name === "limit")?.schema;
        if (!page || !limit || path.includes("{")) continue;
        lists += 1;
        expect(page.maximum, `${path}: page has a maximum`).toBeLessThanOrEqual(10_000);
        expect(limit.maximum, `${path}: limit has a maximum`).toBeLessThanOrEqual(500);
        expect(page.maximum * limit.maximum, `${path}: page × limit`).toBeLessThanOrEqual(1_000_000);
        for (const query of [
          "page=1e17",
          "page=100000000000000000",
          `page=${page.maximum + 1}`,
          "page=0",
          "page=-1",
          `limit=${limit.maximum + 1}`,
          "limit=0",
          "limit=1e9",
        ]) {
          const res = await call("GET", `${path}?${query}`, { token: admin, from: FROM });
          expectProblem(res, 400, "validation_failed");
        }
      }
    }
    expect(lists).toBeGreaterThanOrEqual(15);
    // The bounds themselves are served (an empty page), not refused.
    const last = await call("GET", "/api/catalog/products?page=10000&limit=100", { from: FROM });
    expect(last.status, last.text).toBe(200);
    expect(last.body.data).toEqual([]);
  });

  it("refuses a request body over the gateway's limit with 413 (1 MiB for JSON; 10 MiB for a catalog upload)", async () => {
    const json = JSON.stringify({ email: "x".repeat(1024 * 1024), password: "x" });
    expectProblem(await call("POST", "/api/identity/login", { body: json, from: FROM }), 413, "payload_too_large");
    const admin = await token("admin", FROM);
    expectProblem(
      await call("POST", "/api/orders/checkout", { token: admin, body: json, from: FROM }),
      413,
      "payload_too_large",
    );
    const upload = await call("POST", `/api/catalog/products/${randomUUID()}/images`, {
      token: admin,
      headers: { "content-type": "multipart/form-data; boundary=x" },
      body: "x".repeat(10 * 1024 * 1024 + 1024),
      from: FROM,
    });
    expectProblem(upload, 413, "payload_too_large");
  });

  // Catalog's route allows 10 MiB (image uploads) but catalog parses JSON up to 1 MiB: a larger JSON
  // body reaches catalog, which answers 413 and closes the connection before reading it all. The
  // gateway then sees either that 413 or a broken upload (502); it used to read the latter as a dead
  // instance — ejected (every catalog request 503 until the next health check) and counted by the
  // circuit breaker — so that anyone could take catalog down with a few anonymous POSTs.
  it("a JSON body over catalog's own 1 MiB limit is refused, and catalog stays up", async () => {
    const json = JSON.stringify({ name: "x".repeat(3 * 1024 * 1024) });
    for (let i = 0; i < 6; i++) {
      const res = await call("POST", "/api/catalog/nope", { body: json, from: FROM });
      expect([413, 502], res.text).toContain(res.status);
      expectProblem(res);
      expect((await call("GET", "/api/catalog/products?limit=1", { from: FROM })).status).toBe(200);
    }
  });

  it("refuses an image over 40 megapixels with 422 image_too_large before decoding it", async () => {
    const productId = await newProduct(FROM);
    for (const [width, height] of [
      [20_000, 20_000],
      [65_535, 65_535],
      [40_001, 1_000],
    ] as const) {
      const startedAt = Date.now();
      const res = await uploadImage(FROM, productId, png(width, height));
      expectProblem(res, 422, "image_too_large");
      expect(Date.now() - startedAt, `${width}×${height} answered without decoding`).toBeLessThan(5_000);
    }
    const small = await uploadImage(FROM, productId, png(16, 16));
    expect(small.status, small.text).toBe(201);
    const unsupported = await uploadImage(FROM, productId, "%PDF-1.4 not an image");
    expectProblem(unsupported, 400);
  });

  it("counts anonymous requests per client address, with RateLimit headers", async () => {
    const first = await call("GET", "/api/catalog/categories", { from: "127.0.4.2" });
    const second = await call("GET", "/api/catalog/categories", { from: "127.0.4.2" });
    const elsewhere = await call("GET", "/api/catalog/categories", { from: "127.0.4.3" });
    for (const res of [first, second, elsewhere]) {
      expect(res.status).toBe(200);
      expect(res.headers.get("ratelimit-limit")).toBe("1000");
      expect(Number(res.headers.get("ratelimit-reset"))).toBeGreaterThan(0);
    }
    const remaining = (res: typeof first) => Number(res.headers.get("ratelimit-remaining"));
    expect(remaining(second)).toBe(remaining(first) - 1);
    expect(remaining(elsewhere)).toBeGreaterThan(remaining(second));
  });

  it("made-up API keys are paid from the client's anonymous budget: 401 until it is spent, then 429 with Retry-After", async () => {
    const from = "127.0.4.250";
    const tally = new Map<string, number>();
    let retryAfter = 0;
    for (let sent = 0; sent < 1_100; sent += 50) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, () =>
          call("GET", "/api/catalog/categories", { apiKey: `ck_partner_${randomUUID()}`, from }),
        ),
      );
      for (const res of answers) {
        const label = `${res.status} ${res.body?.code}`;
        tally.set(label, (tally.get(label) ?? 0) + 1);
        if (res.status === 429) retryAfter = Number(res.headers.get("retry-after"));
      }
    }
    const seen = Object.fromEntries(tally);
    expect(Object.keys(seen).sort(), JSON.stringify(seen)).toEqual(["401 invalid_api_key", "429 rate_limited"]);
    expect(seen["401 invalid_api_key"]).toBeLessThanOrEqual(1_000);
    expect(seen["429 rate_limited"]).toBeGreaterThanOrEqual(100);
    expect(retryAfter).toBeGreaterThan(0);
    // The address is spent for anything anonymous; other clients are not.
    expectProblem(await call("GET", "/api/catalog/categories", { from }), 429, "rate_limited");
    expect((await call("GET", "/api/catalog/categories", { from: "127.0.4.251" })).status).toBe(200);
  });
});
