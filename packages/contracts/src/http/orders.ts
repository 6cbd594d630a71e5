import { type Static, Type } from "typebox";
import { Language } from "../events/common";
import { MAX_LINE_QUANTITY, MAX_SHIPPING_FEE, MAX_SUBTOTAL, Money, UnitPrice } from "../money";
import { VatLine, VatRate } from "../vat";
import { DateTime, Id, Nullable } from "./schemas";

export const OrderStatus = Type.Union([
  Type.Literal("pending"),
  Type.Literal("paid"),
  Type.Literal("shipped"),
  Type.Literal("delivered"),
  Type.Literal("cancelled"),
  Type.Literal("refunded"),
]);
export type OrderStatus = Static<typeof OrderStatus>;

/** Where the order was taken: the web shop, or a store (then storeId is set). */
export const SalesChannel = Type.Union([Type.Literal("online"), Type.Literal("store")]);

/** A line as priced at checkout: later catalog changes do not touch it (the API's and the events'). */
export const OrderLine = Type.Object({
  variantId: Id,
  productId: Id,
  sku: Type.String(),
  name: Type.String(),
  quantity: Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY }),
  unitPrice: UnitPrice("as priced at checkout"),
  /** The product's VAT rate at checkout (the unit price includes it). */
  vatRate: VatRate,
});
export type OrderLine = Static<typeof OrderLine>;

/** Where the order is delivered (the API's and the events'). */
export const OrderAddress = Type.Object({
  name: Type.String(),
  line1: Type.String(),
  line2: Nullable(Type.String()),
  city: Type.String(),
  postalCode: Type.String(),
  country: Type.String(),
});
export type OrderAddress = Static<typeof OrderAddress>;

/** An order as orders' API answers it (its events carry the same order as OrderSnapshot). */
export const Order = Type.Object({
  id: Id,
  status: OrderStatus,
  customerId: Nullable(Id),
  email: Type.String(),
  language: Language,
  channel: SalesChannel,
  storeId: Nullable(Id),
  pickupLocationId: Nullable(Id),
  lines: Type.Array(OrderLine),
  subtotal: Money("the lines' total", { maximum: MAX_SUBTOTAL }),
  shipping: Money("the shipping fee", { maximum: MAX_SHIPPING_FEE }),
  total: Money("subtotal + shipping: what the card is charged"),
  vat: Type.Array(VatLine, {
    description:
      "The VAT in the total, per rate (highest first): the lines at their product's rate, the shipping fee at the " +
      "highest rate among the lines. The totals add up to `total`.",
  }),
  currency: Type.String(),
  shippingAddress: Nullable(OrderAddress),
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
export type Order = Static<typeof Order>;
