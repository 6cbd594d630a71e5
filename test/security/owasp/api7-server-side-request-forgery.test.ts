import { BACKEND_SERVICES } from "@comptoir/contracts";
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, expectProblem, platform } from "../support/platform";
import { newProduct, uploadImage } from "../support/shop";

/**
 * OWASP API7:2023 Server Side Request Forgery — Comptoir fetches no URL a client gives it: no
 * operation takes one (no webhook, no image by URL: images are uploaded as files), an uploaded image
 * that could name one (SVG) is refused, and the gateway forwards only to its configured upstreams,
 * whatever host the request names. A listener on this machine stands for the internal target an
 * attacker would aim at; it must never be called.
 */
const FROM = "127.0.7.1";
const SERVICES = BACKEND_SERVICES;

let target: Server;
let targetUrl: string;
const hits: string[] = [];

beforeAll(async () => {
  target = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.end("internal secret");
  });
  await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
  targetUrl = `http://127.0.0.1:${(target.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => target.close(() => r())));

/** One request as raw bytes (absolute-form targets, several Host headers); its status and text. */
function raw(request: string) {
  const { hostname, port } = new URL(platform().base);
  return new Promise<{ status: number; text: string }>((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), localAddress: "127.0.7.2" }, () =>
      socket.write(request),
    );
    const chunks: Buffer[] = [];
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", () => socket.destroy());
    // A refused connection (no answer at all) is status 0.
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    });
  });
}

describe("API7 server side request forgery", () => {
  it("no published operation takes a URL: no parameter or body property is a URI or names a URL, host, webhook or callback", async () => {
    const suspicious: string[] = [];
    let inputs = 0;
    const walk = (where: string, name: string, schema: any): void => {
      if (!schema || typeof schema !== "object") return;
      inputs += 1;
      if (["uri", "url", "uri-reference", "iri", "hostname", "ipv4", "ipv6"].includes(schema.format)) {
        suspicious.push(`${where} ${name}: format ${schema.format}`);
      }
      if (/url|uri|href|host|webhook|callback|endpoint|redirect|link|src$/i.test(name))
        suspicious.push(`${where} ${name}`);
      for (const [key, value] of Object.entries<any>(schema.properties ?? {})) walk(where, `${name}.${key}`, value);
      if (schema.items) walk(where, `${name}[]`, schema.items);
      for (const part of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) {
        walk(where, name, part);
      }
    };
    for (const service of SERVICES) {
      const doc = await call("GET", `/docs/${service}/openapi.json`, { from: FROM });
      expect(doc.status, service).toBe(200);
      for (const [path, operations] of Object.entries<any>(doc.body.paths)) {
        for (const [method, operation] of Object.entries<any>(operations)) {
          const where = `${method.toUpperCase()} ${path}`;
          for (const parameter of operation.parameters ?? []) walk(where, parameter.name, parameter.schema);
          for (const content of Object.values<any>(operation.requestBody?.content ?? {})) {
            walk(where, "body", content.schema);
          }
        }
      }
    }
    expect(inputs).toBeGreaterThan(100);
    expect(suspicious).toEqual([]);
  });

  it("an uploaded image is decoded, never followed: an SVG naming an internal URL is refused and the URL is never fetched", async () => {
    const productId = await newProduct(FROM);
    const svg = (href: string) =>
      `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="64" height="64">` +
      `<image href="${href}" xlink:href="${href}" width="64" height="64"/>` +
      `<rect width="64" height="64" fill="url(${href}#p)"/></svg>`;
    for (const [type, filename] of [
      ["image/svg+xml", "photo.svg"],
      ["image/png", "photo.png"],
    ] as const) {
      const res = await uploadImage(FROM, productId, svg(`${targetUrl}/ssrf-${type}`), type, filename);
      expectProblem(res, 400, "unsupported_image");
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(hits).toEqual([]);
  });

  it("the gateway forwards only to its own upstreams, whatever host the request names (absolute-form, Host, X-Forwarded-Host, Forwarded, //host)", async () => {
    const elsewhere = new URL(targetUrl).host;
    const requests = [
      `GET ${targetUrl}/api/catalog/categories HTTP/1.1\r\nHost: ${elsewhere}\r\nConnection: close\r\n\r\n`,
      `GET ${targetUrl}/ HTTP/1.1\r\nHost: ${elsewhere}\r\nConnection: close\r\n\r\n`,
      `GET ${targetUrl}/api/catalog/categories HTTP/1.1\r\nHost: ${new URL(platform().base).host}\r\nConnection: close\r\n\r\n`,
      `GET /api/catalog/categories HTTP/1.1\r\nHost: ${elsewhere}\r\nConnection: close\r\n\r\n`,
      `GET /api/catalog/categories HTTP/1.1\r\nHost: x\r\nX-Forwarded-Host: ${elsewhere}\r\nForwarded: host=${elsewhere};proto=http\r\nX-Forwarded-Proto: http\r\nConnection: close\r\n\r\n`,
      `GET //${elsewhere}/api/catalog/categories HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      `GET /images/catalog/..%2f..%2f${elsewhere} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      `GET /images/${elsewhere}/x.webp HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      `CONNECT ${elsewhere} HTTP/1.1\r\nHost: ${elsewhere}\r\n\r\n`,
    ];
    for (const request of requests) {
      const res = await raw(request);
      const line = request.split("\r\n")[0];
      // Refused, or served by the gateway's own catalog: never the target's answer.
      expect(res.text, line).not.toContain("internal secret");
      if (res.status !== 200) expect([0, 400, 404, 405], `${line}: ${res.text.slice(0, 200)}`).toContain(res.status);
    }
    expect(hits).toEqual([]);
  });
});
