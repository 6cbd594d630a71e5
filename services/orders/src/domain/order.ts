import { ConflictError } from "@comptoir/platform";

export type OrderStatus = "pending" | "paid" | "shipped" | "delivered" | "cancelled" | "refunded";

/** An order line as snapshotted at checkout: later catalog changes do not touch it. */
export interface OrderLine {
  variantId: string;
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
}

/** Where inventory took stock from for one line (a line may come from several locations). */
export interface AllocationLine {
  variantId: string;
  locationId: string;
  quantity: number;
}

export interface ShippingAddress {
  name: string;
  line1: string;
  line2: string | null;
  city: string;
  postalCode: string;
  country: string;
}

export interface Totals {
  subtotal: number;
  shipping: number;
  total: number;
  currency: string;
}

export interface Order {
  id: string;
  checkoutId: string;
  customerId: string | null;
  email: string;
  language: "fr" | "en";
  channel: "online" | "store";
  storeId: string | null;
  pickupLocationId: string | null;
  status: OrderStatus;
  lines: OrderLine[];
  subtotal: number;
  shipping: number;
  total: number;
  currency: string;
  shippingAddress: ShippingAddress | null;
  reservationId: string;
  allocation: AllocationLine[];
  paymentId: string;
  refundedAmount: number;
  carrier: string | null;
  trackingNumber: string | null;
  cancelReason: string | null;
  cancelledBy: string | null;
  placedAt: string;
  paidAt: string | null;
  shippedAt: string | null;
  deliveredAt: string | null;
  cancelledAt: string | null;
  refundedAt: string | null;
  updatedAt: string;
}

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

export interface ShippingRules {
  /** Flat fee of a delivered order, minor units. */
  fee: number;
  /** Subtotal from which delivery is free (0: always free). */
  freeFrom: number;
}

/** Subtotal, shipping (free for click-and-collect or above the threshold) and total. */
export function totalsOf(lines: OrderLine[], currency: string, rules: ShippingRules, pickup: boolean): Totals {
  const subtotal = lines.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0);
  const shipping = pickup || subtotal >= rules.freeFrom ? 0 : rules.fee;
  return { subtotal, shipping, total: subtotal + shipping, currency };
}
