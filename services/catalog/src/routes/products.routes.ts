import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { UnitPrice, VatRate } from "@comptoir/contracts";
import { catalogHttp } from "@comptoir/contracts/http";
import {
  type App,
  AppError,
  bearerAuth,
  NotFoundError,
  principalOf,
  requirePermission,
  Type,
  Id,
  pageQuery,
  problemResponses,
} from "@comptoir/platform";
import type { FastifyReply, FastifyRequest } from "fastify";
import { MAX_SLUG_LENGTH, SLUG_PATTERN } from "../model/category";
import * as products from "../domain/products.use-cases";
import { MAX_IMAGE_PIXELS, servablePath } from "../images/image-store";

const UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
/** Product reads send the JSON text PostgreSQL built (the response schemas document its shape). */
const JSON_TYPE = "application/json; charset=utf-8";
/** JSON text for `reply.send`: with a JSON content type, Fastify sends a string as it is. */
const rawJson = (json: string) => json as never;

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: "\\S" });
const Slug = Type.String({
  pattern: SLUG_PATTERN,
  maxLength: MAX_SLUG_LENGTH,
  description: "lower-case letters, digits and single dashes",
});
const Description = Type.Union([Type.String({ maxLength: 10000 }), Type.Null()]);
const Brand = Type.Union([Type.String({ minLength: 1, maxLength: 120, pattern: "\\S" }), Type.Null()]);
const StringMap = (description: string) =>
  Type.Record(Type.String({ minLength: 1, maxLength: 60 }), Type.String({ maxLength: 500 }), {
    maxProperties: 50,
    description,
  });
const Attributes = StringMap('free attributes, e.g. { "material": "coton bio" }');
const Options = StringMap('what tells variants apart, e.g. { "taille": "M", "couleur": "marine" }');
const Sku = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: "^[A-Za-z0-9][A-Za-z0-9._/-]*$",
  description: "unique stock-keeping unit: letters, digits, . _ / -",
});
// At most MAX_UNIT_PRICE (1,000,000.00): the cap cart, orders and payments build theirs on (contracts' money.ts).
const Price = UnitPrice("selling price");
const CompareAtPrice = Type.Union([UnitPrice('crossed-out "was" price, above the price'), Type.Null()]);
const Barcode = Type.String({
  pattern: "^[0-9]{8,14}$",
  maxLength: 14,
  description:
    "8 to 14 digits, unique; a GS1 check digit is required for 8, 12, 13 or 14 digits (EAN-8, UPC-A, EAN-13, " +
    "GTIN-14: 400 invalid_barcode otherwise)",
});
const EditableStatus = Type.Union([Type.Literal("draft"), Type.Literal("active")]);
const Status = catalogHttp.ProductStatus;

const { VariantFields } = catalogHttp;
const Variant = Type.Object(VariantFields);
const Image = Type.Object({
  id: Id,
  thumbnailUrl: Type.String({ description: "WebP, at most 320 px on its longest side" }),
  largeUrl: Type.String({ description: "WebP, at most 1600 px on its longest side" }),
  alt: Type.Union([Type.String(), Type.Null()]),
  position: Type.Integer(),
});
const Product = Type.Object({
  id: Id,
  categoryId: Id,
  name: Type.String(),
  slug: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  brand: Type.Union([Type.String(), Type.Null()]),
  attributes: Type.Record(Type.String(), Type.String()),
  status: Status,
  vatRate: VatRate,
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
  variants: Type.Array(Variant),
  images: Type.Array(Image),
});
const Pagination = Type.Object({ page: Type.Integer(), limit: Type.Integer(), total: Type.Integer() });
const PageQuery = pageQuery({ max: 100, default: 20 });

const NewVariant = Type.Object(
  {
    sku: Sku,
    options: Type.Optional(Options),
    price: Price,
    compareAtPrice: Type.Optional(CompareAtPrice),
    barcode: Type.Optional(
      Type.Union([Barcode, Type.Null()], {
        description: "absent or null: an in-store EAN-13 is given (prefix 2, restricted circulation)",
      }),
    ),
  },
  { additionalProperties: false },
);

const Params = Type.Object({ id: Id });
const canEdit = (request: FastifyRequest) => request.principal?.permissions.includes("catalog:write") ?? false;
/** The token's subject when it is a user id (a UUID); null otherwise (kept out of price history). */
const staffId = (request: FastifyRequest) => {
  const sub = principalOf(request).userId;
  return new RegExp(`^${UUID}$`).test(sub) ? sub : null;
};

/**
 * An anonymous read may be kept by a shared cache (the gateway's) for a few seconds: the same for
 * every shopper, and a shopper sees a price change that much later (checkout re-prices from catalog
 * itself). A read with a token is never marked: an editor sees drafts.
 */
function shareable(request: FastifyRequest, reply: FastifyReply, seconds: number): FastifyReply {
  if (seconds > 0 && request.headers.authorization === undefined) {
    reply.header("cache-control", `public, max-age=0, s-maxage=${seconds}`);
  }
  return reply;
}

export function productsRoutes(
  app: App,
  deps: products.ProductsDeps & { /** PRODUCTS_SHARED_CACHE_SECONDS */ sharedCacheSeconds: number },
): void {
  const canWrite = requirePermission("catalog:write");

  app.get(
    "/api/catalog/products",
    {
      schema: {
        tags: ["products"],
        summary: "A page of products, newest first",
        description:
          "`category` includes its sub-categories. Without catalog:write only active products are listed " +
          "(`status` is ignored); editors see every status unless they filter. `q` matches a part of the name. " +
          "`total` is exact after this instance's own writes, and may lag other instances' writes by up to " +
          "PRODUCTS_TOTAL_CACHE_MS.",
        querystring: Type.Object(
          {
            ...PageQuery,
            category: Type.Optional(Id),
            status: Type.Optional(Status),
            q: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ data: Type.Array(Product), pagination: Pagination }), ...problemResponses(400) },
      },
    },
    async (request, reply) => {
      const page = await products.listProducts(deps, request.query, canEdit(request));
      return shareable(request, reply, deps.sharedCacheSeconds)
        .type(JSON_TYPE)
        .send(rawJson(`{"data":${page.dataJson},"pagination":${JSON.stringify(page.pagination)}}`));
    },
  );

  app.get(
    "/api/catalog/products/:id",
    {
      schema: {
        tags: ["products"],
        summary: "A product with its variants and images (drafts: catalog:write only)",
        params: Params,
        response: { 200: Product, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const json = await products.getProductJson(deps, { id: request.params.id }, canEdit(request));
      return shareable(request, reply, deps.sharedCacheSeconds).type(JSON_TYPE).send(rawJson(json));
    },
  );

  app.get(
    "/api/catalog/products/by-slug/:slug",
    {
      schema: {
        tags: ["products"],
        summary: "A product by its slug (drafts: catalog:write only)",
        params: Type.Object({ slug: Slug }),
        response: { 200: Product, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const json = await products.getProductJson(deps, { slug: request.params.slug }, canEdit(request));
      return shareable(request, reply, deps.sharedCacheSeconds).type(JSON_TYPE).send(rawJson(json));
    },
  );

  app.post(
    "/api/catalog/products",
    {
      onRequest: canWrite,
      schema: {
        ...bearerAuth,
        tags: ["products"],
        summary: "Create a product with its variants, in one transaction (catalog:write)",
        description:
          "Products go in leaf categories (409 category_not_leaf). A SKU or barcode already used, in the request or " +
          "by another variant, is 409 sku_taken or barcode_taken and nothing is created. Without a slug, one is made " +
          "from the name; without a VAT rate, 2000 (20 %); a variant without a barcode is given an in-store EAN-13.",
        body: Type.Object(
          {
            categoryId: Id,
            name: Name,
            slug: Type.Optional(Slug),
            description: Type.Optional(Description),
            brand: Type.Optional(Brand),
            attributes: Type.Optional(Attributes),
            status: Type.Optional(EditableStatus),
            vatRate: Type.Optional(VatRate),
            variants: Type.Array(NewVariant, { minItems: 1, maxItems: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: Product, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const created = await products.createProduct(deps, request.body);
      return reply.code(201).header("location", `/api/catalog/products/${created.id}`).send(created);
    },
  );

  app.patch(
    "/api/catalog/products/:id",
    {
      onRequest: canWrite,
      schema: {
        ...bearerAuth,
        tags: ["products"],
        summary: "Change a product's fields, VAT rate, status (draft ↔ active) or leaf category (catalog:write)",
        params: Params,
        body: Type.Object(
          {
            categoryId: Type.Optional(Id),
            name: Type.Optional(Name),
            slug: Type.Optional(Slug),
            description: Type.Optional(Description),
            brand: Type.Optional(Brand),
            attributes: Type.Optional(Attributes),
            status: Type.Optional(EditableStatus),
            vatRate: Type.Optional(VatRate),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Product, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => products.updateProduct(deps, request.params.id, request.body),
  );

  app.post(
    "/api/catalog/products/:id/archive",
    {
      onRequest: canWrite,
      schema: {
        ...bearerAuth,
        tags: ["products"],
        summary: "Archive a product: no longer sold nor listed; it cannot change afterwards (catalog:write)",
        params: Params,
        response: { 200: Product, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => products.archiveProduct(deps, request.params.id),
  );

  app.post(
    "/api/catalog/products/:id/variants",
    {
      onRequest: canWrite,
      schema: {
        ...bearerAuth,
        tags: ["variants"],
        summary: "Add a variant to a product (catalog:write)",
        params: Params,
        body: NewVariant,
        response: { 201: Variant, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await products.addVariant(deps, request.params.id, request.body)),
  );

  app.get(
    "/api/catalog/variants",
    {
      schema: {
        tags: ["variants"],
        summary:
          `Variants by id or by code (SKU or barcode; at most ${catalogHttp.MAX_VARIANT_LOOKUP}), ` +
          "with their product's name, status and VAT rate",
        description:
          "For cart, orders and retail (a till scans a barcode or types a SKU). Exactly one of `ids` and `codes` " +
          "(400 validation_failed otherwise). Unknown ids or codes are left out; the order of `ids` or `codes` is kept.",
        querystring: catalogHttp.lookupVariants.query,
        response: {
          200: catalogHttp.lookupVariants.responses[200],
          ...problemResponses(400),
        },
      },
    },
    async (request) => ({ data: await products.lookupVariants(deps, request.query) }),
  );

  app.patch(
    "/api/catalog/variants/:id",
    {
      onRequest: canWrite,
      schema: {
        ...bearerAuth,
        tags: ["variants"],
        summary: "Change a variant's options, barcode or compare-at price (catalog:write)",
        description: "The price has its own route (PUT …/price), which keeps its history.",
        params: Params,
        body: Type.Object(
          {
            options: Type.Optional(Options),
            barcode: Type.Optional(Barcode),
            compareAtPrice: Type.Optional(CompareAtPrice),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Variant, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => products.updateVariant(deps, request.params.id, request.body),
  );

  app.put(
    "/api/catalog/variants/:id/price",
    {
      onRequest: canWrite,
      schema: {
        ...bearerAuth,
        tags: ["prices"],
        summary: "Set a variant's price; the change is kept in its history (catalog:write)",
        description:
          "The same price changes nothing. compareAtPrice: absent keeps it (it must stay above the price), " +
          "null removes it.",
        params: Params,
        body: Type.Object(
          { price: Price, compareAtPrice: Type.Optional(CompareAtPrice) },
          { additionalProperties: false },
        ),
        response: { 200: Variant, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => products.setPrice(deps, request.params.id, request.body, staffId(request)),
  );

  app.get(
    "/api/catalog/variants/:id/price-history",
    {
      onRequest: canWrite,
      schema: {
        ...bearerAuth,
        tags: ["prices"],
        summary: "A variant's price changes, newest first (catalog:write)",
        params: Params,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: {
          200: Type.Object({
            data: Type.Array(
              Type.Object({
                id: Id,
                variantId: Id,
                oldPrice: Type.Integer(),
                newPrice: Type.Integer(),
                currency: Type.String(),
                changedBy: Type.Union([Id, Type.Null()]),
                changedAt: Type.String({ format: "date-time" }),
              }),
            ),
            pagination: Pagination,
          }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => products.priceHistory(deps, request.params.id, request.query),
  );

  app.post(
    "/api/catalog/products/:id/images",
    {
      onRequest: canWrite,
      schema: {
        ...bearerAuth,
        tags: ["images"],
        summary: "Upload a product image (multipart: `file`, optional `alt`) (catalog:write)",
        description:
          "JPEG, PNG, WebP or AVIF, at most 10 MiB, checked by decoding it (400 unsupported_image otherwise; " +
          `413 payload_too_large), of at most ${MAX_IMAGE_PIXELS / 1_000_000} megapixels, width × height ` +
          "(422 image_too_large). Stored as two WebP renditions: a 320 px thumbnail and a 1600 px large image.",
        consumes: ["multipart/form-data"],
        params: Params,
        response: { 201: Image, ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) {
        throw new AppError("unsupported_media_type", 415, "Unsupported media type", {
          detail: "Send the image as multipart/form-data, in a part named `file`.",
        });
      }
      let data: Buffer | undefined;
      let alt: string | null = null;
      for await (const part of request.parts()) {
        if (part.type === "file") data = await part.toBuffer();
        else if (part.fieldname === "alt" && typeof part.value === "string")
          alt = part.value.trim().slice(0, 300) || null;
      }
      if (!data || data.length === 0) {
        throw new AppError("unsupported_image", 400, "Invalid request", {
          detail: "The request has no image file.",
          errors: [{ in: "body", field: "file", message: "is required" }],
        });
      }
      const image = await products.addImage(deps, request.params.id, { data, alt });
      return reply.code(201).send(image);
    },
  );

  app.delete(
    "/api/catalog/products/:id/images/:imageId",
    {
      onRequest: canWrite,
      schema: {
        ...bearerAuth,
        tags: ["images"],
        summary: "Remove a product image (catalog:write)",
        params: Type.Object({ id: Id, imageId: Id }),
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await products.removeImage(deps, request.params.id, request.params.imageId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    "/api/catalog/images/*",
    {
      schema: {
        tags: ["images"],
        summary: "An image file (`catalog/<productId>/<imageId>-{thumb,large}.webp`); immutable",
        description: "The gateway serves these as `/images/…`. Only names this service writes are served.",
        params: Type.Object({ "*": Type.String({ maxLength: 200 }) }),
      },
    },
    async (request, reply) => {
      const relative = (request.params as { "*": string })["*"];
      const path = servablePath(deps.imagesDir, relative);
      const size = path
        ? await stat(path).then(
            (s) => (s.isFile() ? s.size : undefined),
            () => undefined,
          )
        : undefined;
      if (!path || size === undefined) throw new NotFoundError("image_not_found", "No such image.");
      return reply
        .header("content-type", "image/webp")
        .header("content-length", size)
        .header("cache-control", `public, max-age=31536000, immutable`)
        .header("x-content-type-options", "nosniff")
        .send(createReadStream(path));
    },
  );
}
