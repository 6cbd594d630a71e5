import { existsSync } from "node:fs";
import { readdir, rm, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  count,
  expectDocumentsFresh,
  expectProblem,
  type Harness,
  outboxRows,
  resetCatalog,
  startCatalog,
} from "./harness";

let h: Harness;
let token: string;
beforeAll(async () => {
  h = await startCatalog("images");
  token = await h.issuer.token({ role: "admin" });
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await resetCatalog(h);
});
afterEach(async () => {
  await expectDocumentsFresh(h);
});

async function newProduct(): Promise<{ id: string }> {
  const cat = await h.api.post("/api/catalog/categories", { name: `Cat ${Math.random()}`, slug: undefined });
  const res = await h.api.post("/api/catalog/products", {
    categoryId: cat.body.id,
    name: "Bougie parfumée",
    status: "active",
    variants: [{ sku: `BOU-${Math.random().toString(36).slice(2, 8)}`, price: 2500 }],
  });
  expect(res.status).toBe(201);
  return res.body;
}

const picture = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } });

/** Posts a multipart upload: `file` with the given bytes and declared type, and optional fields. */
async function upload(
  productId: string,
  data: Buffer,
  type: string,
  fields: Record<string, string> = {},
  auth: string | null = token,
) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append("file", new Blob([new Uint8Array(data)], { type }), "upload.bin");
  const res = await fetch(`${h.base}/api/catalog/products/${productId}/images`, {
    method: "POST",
    headers: auth ? { authorization: `Bearer ${auth}` } : {},
    body: form,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** A GET with the path sent exactly as written (fetch would normalise `..`). */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  const url = new URL(h.base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: "GET" }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("uploading product images", () => {
  it("a PNG becomes a WebP thumbnail and large image of the right sizes, served immutable", async () => {
    const product = await newProduct();
    const png = await picture(2400, 1200).png().toBuffer();
    const res = await upload(product.id, png, "image/png", { alt: "Bougie allumée" });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const image = res.body;
    expect(image).toMatchObject({
      thumbnailUrl: `/images/catalog/${product.id}/${image.id}-thumb.webp`,
      largeUrl: `/images/catalog/${product.id}/${image.id}-large.webp`,
      alt: "Bougie allumée",
      position: 0,
    });

    const dir = join(h.imagesDir, "catalog", product.id);
    const thumb = await sharp(join(dir, `${image.id}-thumb.webp`)).metadata();
    const large = await sharp(join(dir, `${image.id}-large.webp`)).metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(["webp", 320, 160]);
    expect([large.format, large.width, large.height]).toEqual(["webp", 1600, 800]);

    for (const url of [image.thumbnailUrl, image.largeUrl]) {
      const served = await fetch(`${h.base}/api${url.replace("/images/", "/catalog/images/")}`);
      expect(served.status).toBe(200);
      expect(served.headers.get("content-type")).toBe("image/webp");
      expect(served.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      const bytes = Buffer.from(await served.arrayBuffer());
      expect((await sharp(bytes).metadata()).format).toBe("webp");
    }

    const got = await h.anonymous.get(`/api/catalog/products/${product.id}`);
    expect(got.body.images).toEqual([image]);
    const event = (await outboxRows(h)).at(-1)!;
    expect(event).toMatchObject({ type: "catalog.product.updated", subject: product.id });
    expect(event.data.images).toEqual([image]);
  });

  it("accepts JPEG, WebP and AVIF, and never enlarges a small image", async () => {
    const product = await newProduct();
    const inputs: [Buffer, string][] = [
      [await picture(200, 100).jpeg().toBuffer(), "image/jpeg"],
      [await picture(200, 100).webp().toBuffer(), "image/webp"],
      [await picture(200, 100).avif().toBuffer(), "image/avif"],
    ];
    for (const [data, type] of inputs) {
      const res = await upload(product.id, data, type);
      expect(res.status, `${type}: ${JSON.stringify(res.body)}`).toBe(201);
      const large = await sharp(join(h.imagesDir, "catalog", product.id, `${res.body.id}-large.webp`)).metadata();
      expect([large.width, large.height]).toEqual([200, 100]);
    }
    const got = await h.anonymous.get(`/api/catalog/products/${product.id}`);
    expect(got.body.images.map((i: { position: number }) => i.position)).toEqual([0, 1, 2]);
  });

  it("refuses a text file sent as image/png, a GIF and an empty upload (400 unsupported_image), storing nothing", async () => {
    const product = await newProduct();
    const cases: [Buffer, string][] = [
      [Buffer.from("this is not an image at all\n"), "image/png"],
      [await picture(20, 20).gif().toBuffer(), "image/gif"],
      [Buffer.alloc(0), "image/png"],
    ];
    for (const [data, type] of cases) expectProblem(await upload(product.id, data, type), 400, "unsupported_image");
    expect(await count(h, "product_images")).toBe(0);
    expect(existsSync(join(h.imagesDir, "catalog", product.id))).toBe(false);
  });

  it("refuses an upload above 10 MiB with 413 payload_too_large", async () => {
    const product = await newProduct();
    const res = await upload(product.id, Buffer.alloc(10 * 1024 * 1024 + 1, 1), "image/png");
    expectProblem(res, 413, "payload_too_large");
    expect(await count(h, "product_images")).toBe(0);
  });

  it("refuses an image above 40 megapixels with 422 image_too_large before decoding it, storing nothing", async () => {
    const product = await newProduct();
    // 10,000 × 10,000 pixels (300 MB decoded) in about 300 KB of PNG.
    const white = { width: 10_000, height: 10_000, channels: 3, background: "#ffffff" } as const;
    const png = await sharp({ create: white }).png().toBuffer();
    expect(png.length).toBeLessThan(1024 * 1024);
    const res = await upload(product.id, png, "image/png");
    expectProblem(res, 422, "image_too_large");
    expect(res.body.errors).toEqual([{ in: "body", field: "file", message: expect.stringContaining("40,000,000") }]);
    expect(await count(h, "product_images")).toBe(0);
    expect(existsSync(join(h.imagesDir, "catalog", product.id))).toBe(false);
  });

  it("a request that is not multipart is 415; unknown products 404; archived products 409", async () => {
    const product = await newProduct();
    const json = await h.api.post(`/api/catalog/products/${product.id}/images`, { file: "x" });
    expectProblem(json, 415, "unsupported_media_type");
    const png = await picture(10, 10).png().toBuffer();
    expectProblem(await upload("01900000-0000-7000-8000-000000000000", png, "image/png"), 404, "product_not_found");
    await h.api.post(`/api/catalog/products/${product.id}/archive`);
    expectProblem(await upload(product.id, png, "image/png"), 409, "product_archived");
    expectProblem(await upload(product.id, png, "image/png", {}, null), 401, "unauthorized");
    const clerk = await h.issuer.token({ role: "clerk" });
    expectProblem(await upload(product.id, png, "image/png", {}, clerk), 403, "forbidden");
  });

  it("deletes an image: its row, its files, and the product announces its new state", async () => {
    const product = await newProduct();
    const res = await upload(product.id, await picture(50, 50).png().toBuffer(), "image/png");
    const path = `/api/catalog/products/${product.id}/images/${res.body.id}`;
    expect((await h.api.delete(path)).status).toBe(204);
    expect(await readdir(join(h.imagesDir, "catalog", product.id))).toEqual([]);
    expect((await h.api.get(`/api/catalog/products/${product.id}`)).body.images).toEqual([]);
    expect((await outboxRows(h)).at(-1)).toMatchObject({ type: "catalog.product.updated", data: { images: [] } });
    expectProblem(await h.api.delete(path), 404, "image_not_found");
    const served = await fetch(`${h.base}/api/catalog/images/catalog/${product.id}/${res.body.id}-thumb.webp`);
    expect(served.status).toBe(404);
  });
});

describe("serving image files", () => {
  it("serves nothing outside the images it wrote: traversal, other names and files are 404 (or 400)", async () => {
    await writeFile(join(h.imagesDir, "secret.txt"), "do not serve");
    await writeFile(join(h.imagesDir, "..", `outside-${process.pid}.webp`), "do not serve");
    const product = await newProduct();
    const id = "01900000-0000-7000-8000-000000000001";
    const attempts = [
      "/api/catalog/images/secret.txt",
      "/api/catalog/images/../images/secret.txt",
      "/api/catalog/images/..%2Fsecret.txt",
      "/api/catalog/images/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
      "/api/catalog/images/catalog/../../../../etc/passwd",
      `/api/catalog/images/catalog/${product.id}/..%2F..%2F..%2Foutside-${process.pid}.webp`,
      `/api/catalog/images/catalog/${product.id}/${id}-thumb.webp`,
      `/api/catalog/images/catalog/${product.id}/${id}-thumb.webp%00.png`,
      "/api/catalog/images/",
    ];
    for (const path of attempts) {
      const res = await rawGet(path);
      expect([400, 404], `${path} → ${res.status}`).toContain(res.status);
      expect(res.body).not.toContain("do not serve");
      expect(res.body).not.toContain("root:");
    }
    await rm(join(h.imagesDir, "..", `outside-${process.pid}.webp`), { force: true });
  });
});
