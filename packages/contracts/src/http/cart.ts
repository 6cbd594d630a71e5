import { type Static, Type } from "typebox";
import { MAX_LINE_QUANTITY, MAX_LINE_TOTAL, MAX_SUBTOTAL, Money, UnitPrice } from "../money";
import { endpoint } from "./endpoint";
import { DateTime, Id, IdParams, Nullable } from "./schemas";

export const CartLine = Type.Object({
  variantId: Id,
  productId: Id,
  sku: Type.String(),
  name: Type.String({ description: "the product's name" }),
  thumbnailUrl: Nullable(Type.String()),
  quantity: Type.Integer(),
  unitPrice: UnitPrice("catalog's price now (the price at add if catalog did not answer)"),
  currency: Type.String(),
  lineTotal: Money("unitPrice × quantity", { maximum: MAX_LINE_TOTAL }),
  priceAtAdd: UnitPrice("the unit price when the line was last added"),
  priceChanged: Type.Boolean(),
  available: Nullable(Type.Integer({ description: "what inventory can still sell; null if it did not answer" })),
  insufficientStock: Type.Boolean(),
  unavailable: Type.Boolean({ description: "the variant is unknown to catalog or its product is not active" }),
});

export const Cart = Type.Object({
  id: Id,
  customerId: Nullable(Id),
  token: Type.Optional(
    Type.String({
      description: "a new guest cart's secret, only in the answer that created it: send it as X-Cart-Token",
    }),
  ),
  items: Type.Array(CartLine),
  itemCount: Type.Integer({ description: "units in the cart" }),
  subtotal: Money("sum of the line totals of the lines that can be bought", { maximum: MAX_SUBTOTAL }),
  currency: Nullable(Type.String()),
  warnings: Type.Array(
    Type.Object({
      variantId: Nullable(Id),
      code: Type.String({
        description:
          "price_changed, insufficient_stock, variant_unavailable, currency_mismatch, quantity_capped, " +
          "pricing_unavailable, availability_unavailable",
      }),
      detail: Type.String(),
    }),
  ),
  expiresAt: DateTime,
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type Cart = Static<typeof Cart>;

/** A cart line's quantity as a caller sets it. */
export const LineQuantity = Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY });

/**
 * A cart as its owner (X-Cart-Token, or the owner's token) or carts:manage sees it; anyone else's,
 * an expired or an unknown one: 404 cart_not_found. refresh=false: as stored, not re-priced.
 */
export const getCart = endpoint({
  method: "GET",
  path: "/api/cart/carts/:id",
  params: IdParams,
  query: Type.Object({ refresh: Type.Boolean({ default: true }) }, { additionalProperties: false }),
  responses: { 200: Cart },
  errors: ["cart_not_found"],
});

/** The orders service takes an order's items out of the cart; the same orderId again changes nothing. */
export const markOrdered = endpoint({
  method: "POST",
  path: "/api/cart/carts/:id/ordered",
  params: IdParams,
  body: Type.Object(
    {
      orderId: Type.String({ minLength: 1, maxLength: 200 }),
      items: Type.Array(Type.Object({ variantId: Id, quantity: LineQuantity }, { additionalProperties: false }), {
        maxItems: 1000,
      }),
    },
    { additionalProperties: false },
  ),
  responses: { 204: Type.Null() },
  errors: ["cart_not_found"],
  idempotent: true,
});

export const endpoints = { getCart, markOrdered };
