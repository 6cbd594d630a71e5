import { MAX_LINE_QUANTITY, MAX_SHIPPING_FEE, MAX_SUBTOTAL, Money, UnitPrice } from "@comptoir/contracts";
import { Type, Id, DateTime, Nullable, problemResponses } from "@comptoir/platform";

export { Id, problemResponses };

export const Params = Type.Object({ id: Id });

export const Status = Type.Union([
  Type.Literal("pending"),
  Type.Literal("paid"),
  Type.Literal("shipped"),
  Type.Literal("delivered"),
  Type.Literal("cancelled"),
  Type.Literal("refunded"),
]);

export const Address = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    line2: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    postalCode: Type.String({ minLength: 1, maxLength: 20 }),
    country: Type.String({ pattern: "^[A-Z]{2}$", maxLength: 2, description: "ISO 3166-1 alpha-2, e.g. FR" }),
  },
  { additionalProperties: false },
);

export const Order = Type.Object({
  id: Id,
  status: Status,
  customerId: Nullable(Id),
  email: Type.String(),
  language: Type.Union([Type.Literal("fr"), Type.Literal("en")]),
  channel: Type.Union([Type.Literal("online"), Type.Literal("store")]),
  storeId: Nullable(Id),
  pickupLocationId: Nullable(Id),
  lines: Type.Array(
    Type.Object({
      variantId: Id,
      productId: Id,
      sku: Type.String(),
      name: Type.String(),
      quantity: Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY }),
      unitPrice: UnitPrice("as priced at checkout"),
    }),
  ),
  subtotal: Money("the lines' total", { maximum: MAX_SUBTOTAL }),
  shipping: Money("the shipping fee", { maximum: MAX_SHIPPING_FEE }),
  total: Money("subtotal + shipping: what the card is charged"),
  currency: Type.String(),
  shippingAddress: Nullable(
    Type.Object({
      name: Type.String(),
      line1: Type.String(),
      line2: Nullable(Type.String()),
      city: Type.String(),
      postalCode: Type.String(),
      country: Type.String(),
    }),
  ),
  paymentId: Id,
  refundedAmount: Money("given back"),
  carrier: Nullable(Type.String()),
  trackingNumber: Nullable(Type.String()),
  cancelReason: Nullable(Type.String()),
  placedAt: DateTime,
  paidAt: Nullable(DateTime),
  shippedAt: Nullable(DateTime),
  deliveredAt: Nullable(DateTime),
  cancelledAt: Nullable(DateTime),
  refundedAt: Nullable(DateTime),
  updatedAt: DateTime,
});
