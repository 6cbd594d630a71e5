import { DEFAULT_VAT_RATE, type EventData, MAX_UNIT_PRICE, type VatLine, vatBreakdown } from "@comptoir/contracts";
import { type catalogHttp, inventoryHttp, ordersHttp } from "@comptoir/contracts/http";
import { ConflictError, Id, Nullable, type Static, Type } from "@comptoir/platform";

export const OrderStatus = ordersHttp.OrderStatus;
export type OrderStatus = Static<typeof OrderStatus>;

/** An order line as snapshotted at checkout: later catalog changes do not touch it. */
export const OrderLine = ordersHttp.OrderLine;
export type OrderLine = Static<typeof OrderLine>;

/** Where inventory took stock from for one line (a line may come from several locations). */
export const AllocationLine = inventoryHttp.AllocationLine;
export type AllocationLine = Static<typeof AllocationLine>;

export const ShippingAddress = ordersHttp.OrderAddress;
export type ShippingAddress = Static<typeof ShippingAddress>;

/** A shipping address as a checkout sends it (line2 may be left out); stored as a ShippingAddress. */
export const AddressInput = Type.Object(
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
export type AddressInput = Static<typeof AddressInput>;

/** The order as the API answers it: orders' HTTP contract (its events carry the same fields as a snapshot). */
export const OrderView = ordersHttp.Order;

/** The order as orders keeps it: what the API shows, and what only orders needs (never answered). */
export const Order = Type.Object({
  ...OrderView.properties,
  checkoutId: Id,
  reservationId: Id,
  allocation: Type.Array(AllocationLine),
  cancelledBy: Nullable(Id),
});
export type Order = Static<typeof Order>;

/** What a list of orders can be filtered by (`GET /api/orders`'s query, paging aside). */
export const OrderFilter = Type.Object({
  status: Type.Optional(OrderStatus),
  channel: Type.Optional(Type.Union([Type.Literal("online"), Type.Literal("store")])),
  storeId: Type.Optional(Id),
  customerId: Type.Optional(Id),
  from: Type.Optional(Type.String({ format: "date-time", maxLength: 64, description: "placed at or after" })),
  to: Type.Optional(Type.String({ format: "date-time", maxLength: 64, description: "placed before" })),
});
export type OrderFilter = Static<typeof OrderFilter>;

export type Totals = Pick<Order, "subtotal" | "shipping" | "total" | "currency">;

/**
 * The order's life (SPEC §3.7): pending (checkout under way) → paid → shipped → delivered;
 * pending or paid → cancelled; cancelled (a paid one) → refunded once its money is back.
 */
const TRANSITIONS: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ["paid", "cancelled"],
  paid: ["shipped", "cancelled"],
  shipped: ["delivered"],
  delivered: [],
  cancelled: ["refunded"],
  refunded: [],
};

export function canMove(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Refuses a move the state machine does not allow: 409 `invalid_order_transition`. */
export function assertTransition(order: Pick<Order, "id" | "status">, to: OrderStatus): void {
  if (!canMove(order.status, to)) {
    throw new ConflictError(
      "invalid_order_transition",
      `Order ${order.id} is ${order.status}: it cannot become ${to}.`,
      { extensions: { currentStatus: order.status } },
    );
  }
}

/**
 * Refuses to cancel an order that has shipped (or is already cancelled or refunded): 409
 * `order_not_cancellable`, the code a customer sees (not the state machine's generic one).
 * Returns the status it is cancelled from, which its `orders.order.cancelled` event carries.
 */
export function assertCancellable(order: Pick<Order, "id" | "status">): "pending" | "paid" {
  if (order.status !== "pending" && order.status !== "paid") {
    throw new ConflictError(
      "order_not_cancellable",
      `Order ${order.id} is ${order.status}: it can no longer be cancelled.`,
      {
        extensions: { currentStatus: order.status },
      },
    );
  }
  return order.status;
}

export interface ShippingRules {
  /** Flat fee of a delivered order, minor units. */
  fee: number;
  /** Subtotal from which delivery is free (0: always free). */
  freeFrom: number;
}

/**
 * The shipping fee of a subtotal: free for click-and-collect or from the threshold, else the flat fee.
 * The checkout's rule, and what `GET /api/orders/shipping-options` tells before paying.
 */
export function shippingFeeOf(subtotal: number, rules: ShippingRules, pickup: boolean): number {
  return pickup || subtotal >= rules.freeFrom ? 0 : rules.fee;
}

/** Subtotal, shipping (free for click-and-collect or above the threshold) and total. */
export function totalsOf(lines: OrderLine[], currency: string, rules: ShippingRules, pickup: boolean): Totals {
  const subtotal = lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
  const shipping = shippingFeeOf(subtotal, rules, pickup);
  return { subtotal, shipping, total: subtotal + shipping, currency };
}

/**
 * The VAT in an order's total, per rate (highest first), computed by contracts' `vatBreakdown` over
 * the line totals (VAT included) and the shipping fee.
 *
 * The shipping fee's rule: delivery is an accessory of the goods, so it is taxed at the rate of the
 * goods; when an order mixes rates it is taxed at the HIGHEST rate among the order's lines (the
 * simple rule French tax practice accepts instead of splitting the fee pro rata), and its amount is
 * added to that rate's total. A free delivery adds nothing. A line without a rate (an order from
 * before lines kept one) counts at DEFAULT_VAT_RATE (20 %).
 *
 * The totals of the result add up to subtotal + shipping: the order's total.
 */
export function vatOf(
  lines: readonly Pick<OrderLine, "unitPrice" | "quantity" | "vatRate">[],
  shipping: number,
): VatLine[] {
  const rated: { vatRate: number; total: number }[] = lines.map((l) => ({
    vatRate: l.vatRate ?? DEFAULT_VAT_RATE,
    total: l.unitPrice * l.quantity,
  }));
  if (shipping > 0 && rated.length > 0) {
    rated.push({ vatRate: Math.max(...rated.map((l) => l.vatRate)), total: shipping });
  }
  return vatBreakdown(rated);
}

/** A variant as catalog's lookup answers it, with the fields checkout prices a line from. */
export type PricedVariant = Pick<
  catalogHttp.VariantSummary,
  "id" | "productId" | "sku" | "options" | "price" | "currency" | "productName" | "productStatus" | "vatRate"
>;

/**
 * Whether a variant can be ordered now: active, in the shop's currency, and priced within
 * MAX_UNIT_PRICE (a price set before catalog capped prices is refused here, before any stock is held).
 */
export function isForSale(v: PricedVariant, currency: string): boolean {
  return v.productStatus === "active" && v.currency === currency && v.price <= MAX_UNIT_PRICE;
}

/** The order line of `quantity` units of a variant, named after its product and options, at today's price. */
export function orderLineOf(v: PricedVariant, quantity: number): OrderLine {
  const options = Object.values(v.options ?? {});
  return {
    variantId: v.id,
    productId: v.productId,
    sku: v.sku,
    name: options.length ? `${v.productName} (${options.join(", ")})` : v.productName,
    quantity,
    unitPrice: v.price,
    vatRate: v.vatRate,
  };
}

/** The order as every `orders.order.*` event carries it (contracts: orders.events.ts), its status aside. */
export function snapshotOf(o: Order): Omit<EventData<"orders.order.placed">, "status"> {
  return {
    orderId: o.id,
    customerId: o.customerId,
    email: o.email,
    language: o.language,
    channel: o.channel,
    storeId: o.storeId,
    lines: o.lines,
    totals: { subtotal: o.subtotal, shipping: o.shipping, total: o.total, currency: o.currency },
    vat: o.vat,
    shippingAddress: o.shippingAddress,
    placedAt: o.placedAt,
  };
}
