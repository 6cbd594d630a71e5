import { cartHttp } from "@comptoir/contracts/http";
import {
  type App,
  bearerAuth,
  IdempotencyKeyHeader,
  idempotencyKeyOf,
  optionalBearerAuth,
  requirePermission,
  requireUser,
  Type,
  Id,
  problemResponses,
} from "@comptoir/platform";
import type { FastifyReply, FastifyRequest } from "fastify";
import { MAX_LINE_QUANTITY, MAX_LINES, MAX_RECENT_KEYS } from "../model/cart";
import { MIN_GUEST_CART_KEY_LENGTH } from "../model/cart-token";
import * as carts from "../domain/carts.use-cases";

// What orders reads and sends: cart's HTTP contract.
const { Cart: CartSchema, LineQuantity: Quantity } = cartHttp;

const CartHeaders = Type.Object({
  "x-cart-token": Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "a guest cart's token" })),
});
/** The headers of a write: a gateway may send a keyed write again, to another instance, after a failure. */
const WriteHeaders = Type.Object({ ...CartHeaders.properties, ...IdempotencyKeyHeader });
const CartParams = Type.Object({ id: Id });
const LineParams = Type.Object({ id: Id, variantId: Id });

const callerOf = (request: FastifyRequest): carts.Caller => {
  const token = request.headers["x-cart-token"];
  return { principal: request.principal, cartToken: typeof token === "string" ? token : undefined };
};

/** The caller of a write, with its Idempotency-Key (400 invalid_idempotency_key for a malformed one). */
const writerOf = (request: FastifyRequest): carts.Caller => ({
  ...callerOf(request),
  idempotencyKey: idempotencyKeyOf(request),
});

/** The cart after a write; a write already applied under its key says so (`Idempotent-Replayed: true`). */
const answer = (reply: FastifyReply, written: carts.Written) => {
  if (written.replayed) reply.header("idempotent-replayed", "true");
  return written.cart;
};

/** What each keyed write's description says of its Idempotency-Key. */
const KEYED =
  " With an Idempotency-Key, the write is applied once: sent again under its key (e.g. by the gateway to another " +
  "instance), it changes nothing and answers the cart as it is now (200, header Idempotent-Replayed: true); the key " +
  `with another request is a 422 idempotency_key_reused. A cart remembers its last ${MAX_RECENT_KEYS} keys.`;

export function cartsRoutes(app: App, deps: carts.CartsDeps): void {
  // Carts are someone's: never kept by a shared cache.
  app.addHook("onSend", async (request, reply) => {
    if (request.url.startsWith("/api/cart/")) reply.header("cache-control", "no-store");
  });

  app.post(
    "/api/cart/carts",
    {
      schema: {
        tags: ["carts"],
        summary: "Create a guest cart (no token), or get/create the caller's own cart (a user's token)",
        ...optionalBearerAuth,
        description:
          "Without a token: 201 with a new guest cart and its `token` (given only here; send it as X-Cart-Token). " +
          "With a user's token: the caller's live cart (200) or a new one (201); one cart per customer. " +
          "A service token: 403. With an Idempotency-Key and no token, the guest cart is created once: the same key " +
          "again answers the same cart and the same `token` (201 again, header Idempotent-Replayed: true), on any instance. " +
          `The key then stands for the cart's token, so it must be at least ${MIN_GUEST_CART_KEY_LENGTH} characters ` +
          "(a UUID is 36; 400 idempotency_key_too_short) and kept as secret as the token. With a user's token the key " +
          "is accepted and changes nothing: their cart is got or created anyway.",
        headers: Type.Object(IdempotencyKeyHeader),
        response: { 200: CartSchema, 201: CartSchema, ...problemResponses(400, 401, 403, 422, 503) },
      },
    },
    async (request, reply) => {
      const { cart, created, token, replayed } = await carts.createCart(deps, writerOf(request));
      if (replayed) reply.header("idempotent-replayed", "true");
      // A guest's create answers 201 each time: a replay answers as the first time did.
      return reply.code(created || token ? 201 : 200).send(token ? { ...cart, token } : cart);
    },
  );

  app.get(
    "/api/cart/me",
    {
      onRequest: requireUser,
      schema: {
        ...bearerAuth,
        tags: ["carts"],
        summary: "The caller's cart (404 cart_not_found when they have none)",
        response: { 200: CartSchema, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => carts.myCart(deps, callerOf(request)),
  );

  app.get(
    "/api/cart/carts/:id",
    {
      schema: {
        ...bearerAuth,
        tags: ["carts"],
        summary: "A cart, re-priced from catalog and checked against inventory",
        description:
          "A guest cart with its X-Cart-Token; a customer cart with its owner's token; any cart with carts:manage. " +
          "Anyone else's, an expired or an unknown cart: 404 cart_not_found. With refresh=false, the cart as " +
          "stored (prices at the time of adding, availability unknown): for the orders service, which prices " +
          "the lines itself at checkout.",
        params: cartHttp.getCart.params,
        headers: CartHeaders,
        querystring: cartHttp.getCart.query,
        response: { ...cartHttp.getCart.responses, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => carts.getCart(deps, callerOf(request), request.params.id, request.query.refresh),
  );

  app.post(
    "/api/cart/carts/:id/items",
    {
      schema: {
        ...bearerAuth,
        tags: ["carts"],
        summary: "Add units of a variant (merged into its line)",
        description:
          `1–${MAX_LINE_QUANTITY} units per line, at most ${MAX_LINES} lines (409 line_quantity_limit, cart_full). ` +
          "404 variant_not_found (unknown to catalog), 409 variant_not_available (product not active), " +
          "409 insufficient_stock with `available` (the line would exceed what inventory can sell). " +
          "503 when catalog does not answer (nothing can be priced); unchecked against stock when inventory does not." +
          KEYED,
        params: CartParams,
        headers: WriteHeaders,
        body: Type.Object({ variantId: Id, quantity: Quantity }, { additionalProperties: false }),
        response: { 200: CartSchema, ...problemResponses(400, 401, 404, 409, 422, 503) },
      },
    },
    async (request, reply) =>
      answer(reply, await carts.addItem(deps, writerOf(request), request.params.id, request.body)),
  );

  app.patch(
    "/api/cart/carts/:id/items/:variantId",
    {
      schema: {
        ...bearerAuth,
        tags: ["carts"],
        summary: "Set a line's quantity",
        description:
          `1–${MAX_LINE_QUANTITY} (DELETE removes a line). An increase is checked against stock (409 insufficient_stock).` +
          KEYED,
        params: LineParams,
        headers: WriteHeaders,
        body: Type.Object({ quantity: Quantity }, { additionalProperties: false }),
        response: { 200: CartSchema, ...problemResponses(400, 401, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      answer(
        reply,
        await carts.changeQuantity(
          deps,
          writerOf(request),
          request.params.id,
          request.params.variantId,
          request.body.quantity,
        ),
      ),
  );

  app.delete(
    "/api/cart/carts/:id/items/:variantId",
    {
      schema: {
        ...bearerAuth,
        tags: ["carts"],
        summary: "Remove a line (404 line_not_found if the cart has none for the variant)",
        description: `${KEYED.trim()} A removal sent again once its line is gone is such a replay, not a 404.`,
        params: LineParams,
        headers: WriteHeaders,
        response: { 200: CartSchema, ...problemResponses(400, 401, 404, 422) },
      },
    },
    async (request, reply) =>
      answer(reply, await carts.removeItem(deps, writerOf(request), request.params.id, request.params.variantId)),
  );

  app.post(
    "/api/cart/carts/:id/associate",
    {
      onRequest: requireUser,
      schema: {
        ...bearerAuth,
        tags: ["carts"],
        summary: "After login: merge the guest cart :id (its X-Cart-Token) into the caller's cart",
        description:
          "Quantities add up; without a cart of their own, the guest cart becomes the caller's. The guest cart and " +
          "its token are gone afterwards. An unknown or expired guest cart, or a wrong token: 404 cart_not_found, " +
          "the caller's cart unchanged. 409 cart_full when the lines together exceed a cart (nothing merged)." +
          KEYED +
          " The key is remembered in the caller's cart: sent again once the guest cart is gone, the association " +
          "answers that cart (replayed) rather than a 404.",
        params: CartParams,
        headers: WriteHeaders,
        response: { 200: CartSchema, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => answer(reply, await carts.associateCart(deps, writerOf(request), request.params.id)),
  );

  app.post(
    "/api/cart/carts/:id/ordered",
    {
      onRequest: requirePermission("carts:manage"),
      schema: {
        ...bearerAuth,
        tags: ["carts"],
        summary: "The orders service: take an order's items out of the cart (carts:manage)",
        description:
          "Each line loses the ordered quantity (removed at 0); lines added since checkout began stay. " +
          "The same orderId again changes nothing (idempotent). Answers 204: the caller needs no priced cart.",
        params: cartHttp.markOrdered.params,
        body: cartHttp.markOrdered.body,
        response: { ...cartHttp.markOrdered.responses, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await carts.markOrdered(deps, request.params.id, request.body);
      return reply.code(204).send(null);
    },
  );
}
