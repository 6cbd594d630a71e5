import { IdParams, retailHttp } from "@comptoir/contracts/http";
import {
  type App,
  bearerAuth,
  IdempotencyKeyHeader,
  idempotencyKeyOf,
  pageOf,
  type Principal,
  problemResponses,
  requirePermission,
  Type,
} from "@comptoir/platform";
import type { SagaRunner } from "@comptoir/sagas";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { RetailContext } from "../domain/context";
import type { CardVault } from "../domain/sale.saga";
import * as sales from "../domain/sales.use-cases";

const { CreatedSale, Receipt, ReceiptQuery, SaleRequest } = retailHttp;
const actorOf = (request: FastifyRequest) => request.principal as Principal;

/** `?format=html` or `Accept: text/html` (without JSON) asks for the printable receipt. */
export function wantsHtml(format: "json" | "html" | undefined, acceptHeader: string | undefined): boolean {
  if (format) return format === "html";
  const accept = acceptHeader ?? "";
  return accept.includes("text/html") && !accept.includes("application/json");
}

/**
 * A printable receipt runs nothing and loads nothing: its values are escaped, and this policy keeps it so
 * even if one slipped through (inline styles only).
 */
const RECEIPT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function sendReceipt(reply: FastifyReply, receipt: unknown) {
  if (typeof receipt === "string") {
    return reply
      .header("content-security-policy", RECEIPT_CSP)
      .header("x-content-type-options", "nosniff")
      .type("text/html; charset=utf-8")
      .send(receipt);
  }
  return reply.send(receipt);
}

export function salesRoutes(app: App, ctx: RetailContext, extra: { sagas: SagaRunner; cards: CardVault }): void {
  const deps = { ctx, ...extra, fingerprintKey: sales.fingerprintKeyOf(ctx) };

  app.post(
    "/api/retail/sales",
    {
      onRequest: requirePermission("sales:create"),
      schema: {
        ...bearerAuth,
        tags: ["sales"],
        summary: "Ring up a till sale (Idempotency-Key or a client sale id required)",
        description:
          "Lines by variantId, sku or barcode, priced by catalog (never by the till); line and basket discounts ({percent} " +
          "or {amount}; above the cashier's limit 403 discount_not_allowed without sales:discount); tenders cash, card " +
          "(card-present, captured), store_credit, split. 400 tender_insufficient (with `missing`), tender_exceeds_total; " +
          "404 variant_not_found (naming them), register_not_found; 409 register_not_open, insufficient_stock (with " +
          "`short`), sale_in_progress; 402 card_declined / insufficient_funds. A failure leaves no sale, no stock movement, " +
          "no journal entry. The same key again answers the same sale (or problem); another body under it is a 422.",
        headers: Type.Object(IdempotencyKeyHeader),
        body: SaleRequest,
        response: { 201: CreatedSale, ...problemResponses(400, 401, 402, 403, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const sale = await sales.createSale(deps, actorOf(request), idempotencyKeyOf(request), request.body);
      return reply.code(201).send(sale);
    },
  );

  app.get(
    "/api/retail/sales",
    {
      onRequest: requirePermission("sales:create"),
      schema: {
        ...bearerAuth,
        tags: ["sales"],
        summary: "Sales, newest first (staff see their own store's; an admin every store's)",
        querystring: retailHttp.listSales.query,
        response: { ...retailHttp.listSales.responses, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { page, limit, ...filter } = request.query;
      return sales.listSales(ctx, actorOf(request), filter, pageOf({ page, limit }));
    },
  );

  app.get(
    "/api/retail/sales/:id",
    {
      onRequest: requirePermission("sales:create"),
      schema: {
        ...bearerAuth,
        tags: ["sales"],
        summary: "A sale (another store's is a 404)",
        params: retailHttp.getSale.params,
        response: { ...retailHttp.getSale.responses, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => sales.getSale(ctx, actorOf(request), request.params.id),
  );

  app.get(
    "/api/retail/sales/:id/receipt",
    {
      onRequest: requirePermission("sales:create"),
      schema: {
        ...bearerAuth,
        tags: ["sales"],
        summary: "A duplicate of the sale's receipt (JSON, or printable 80 mm HTML: ?format=html or Accept: text/html)",
        description: "Every call is a reprint: DUPLICATA with its count, recorded in the journal.",
        params: IdParams,
        querystring: ReceiptQuery,
        response: { 200: Type.Union([Receipt, Type.String()]), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      sendReceipt(
        reply,
        await sales.reprintSale(
          ctx,
          actorOf(request),
          request.params.id,
          wantsHtml(request.query.format, request.headers.accept) ? "html" : "json",
        ),
      ),
  );
}
