import { type Static, Type } from "typebox";
import { Language } from "../events/common";
import { MAX_LINE_QUANTITY, MAX_SHIPPING_FEE, MAX_SUBTOTAL, Money, UnitPrice } from "../money";
import { VatLine, VatRate } from "../vat";
import { endpoint } from "./endpoint";
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

// ——— The shipping fee before paying (the shop's checkout) ———

export const ShippingOptionsQuery = Type.Object(
  {
    subtotal: Type.Optional(
      Money(
        "the cart's subtotal (VAT included) the fee is for; without it, the fee of a delivery below the threshold",
        {
          maximum: MAX_SUBTOTAL,
        },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ShippingOptionsQuery = Static<typeof ShippingOptionsQuery>;

export const ShippingOptions = Type.Object({
  currency: Type.String(),
  delivery: Type.Object({
    fee: Money("what delivery costs for this subtotal (0 from freeFrom)", { maximum: MAX_SHIPPING_FEE }),
    freeFrom: Money("the subtotal from which delivery is free (0: always free)", { maximum: MAX_SUBTOTAL }),
  }),
  pickup: Type.Object({ fee: Money("click-and-collect at a store: always free", { maximum: 0 }) }),
});
export type ShippingOptions = Static<typeof ShippingOptions>;

/** Anyone: what delivery and store pickup cost for a subtotal, by the rule the checkout applies. */
export const shippingOptions = endpoint({
  method: "GET",
  path: "/api/orders/shipping-options",
  query: ShippingOptionsQuery,
  responses: { 200: ShippingOptions },
});

// ——— What orders booked, per local day (the CLI's `comptoir reporting reconcile`) ———

/** The longest period of sales totals, in days (from and to included): as reporting's reports. */
export const MAX_SALES_TOTALS_DAYS = 366 * 3;
/** The time zone of the days when none is given: reporting's default online time zone. */
export const DEFAULT_TOTALS_TIME_ZONE = "Europe/Paris";

const TotalsDay = (description: string) =>
  Type.String({ pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", maxLength: 10, description });

export const SalesTotalsQuery = Type.Object(
  {
    from: TotalsDay("first local day, YYYY-MM-DD"),
    to: TotalsDay("last local day, YYYY-MM-DD, included"),
    timeZone: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: "IANA time zone of the days (default Europe/Paris: reporting's REPORTING_ONLINE_TIMEZONE)",
      }),
    ),
  },
  { additionalProperties: false },
);
export type SalesTotalsQuery = Static<typeof SalesTotalsQuery>;

/** What orders booked on a local day (or over the period: `totals`). Amounts in cents, VAT included. */
export const SalesTotalsFigures = Type.Object({
  paidCount: Type.Integer({ description: "orders paid that day (whatever became of them since)" }),
  paidTotal: Type.Integer({ description: "Σ of their totals, shipping included" }),
  refundsCount: Type.Integer({ description: "orders refunded that day" }),
  refundsTotal: Type.Integer({ description: "Σ of what those refunds gave back" }),
});
export type SalesTotalsFigures = Static<typeof SalesTotalsFigures>;

export const SalesTotalsDay = Type.Object({
  day: TotalsDay("a local day of the time zone"),
  ...SalesTotalsFigures.properties,
});
export type SalesTotalsDay = Static<typeof SalesTotalsDay>;

export const SalesTotals = Type.Object({
  from: TotalsDay("first day"),
  to: TotalsDay("last day"),
  timeZone: Type.String(),
  data: Type.Array(SalesTotalsDay, { description: "the days with a paid order or a refund, oldest first" }),
  totals: SalesTotalsFigures,
});
export type SalesTotals = Static<typeof SalesTotals>;

/**
 * Per local day, from orders' own table: orders paid (`paid_at`) and refunds (`refunded_at`), the
 * days as reporting books `orders.order.paid`/`.refunded` (events:admin).
 */
export const salesTotals = endpoint({
  method: "GET",
  path: "/api/orders/admin/sales-totals",
  query: SalesTotalsQuery,
  responses: { 200: SalesTotals },
  errors: ["invalid_period", "invalid_time_zone"],
});

export const endpoints = { salesTotals, shippingOptions };
