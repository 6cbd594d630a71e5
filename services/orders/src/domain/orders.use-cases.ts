import type { Outbox } from "@comptoir/events";
import { ConflictError, type Db, newId, NotFoundError, type Principal, withTx } from "@comptoir/platform";
import type { SagaRunner } from "@comptoir/sagas";
import * as checkouts from "../db/checkouts.repo";
import * as orders from "../db/orders.repo";
import { assertCancellable, assertTransition, type Order, type OrderFilter, type OrderStatus } from "../model/order";
import { publishOrder } from "./orders.events";
import { ORDER_REFUND, type RefundInput } from "./refund.saga";

export interface OrdersDeps {
  db: Db;
  outbox: Outbox;
  sagas: SagaRunner;
}

/** Staff (orders:manage) see every order; anyone else only their own. */
const isStaff = (p: Principal) => p.permissions.includes("orders:manage");

/** The order if the caller may see it; someone else's is a 404, as if it did not exist (no BOLA). */
export async function getOrder(deps: OrdersDeps, principal: Principal, id: string): Promise<Order> {
  const order = await orders.findOrder(deps.db, id);
  if (!order || (!isStaff(principal) && order.customerId !== principal.userId)) {
    throw new NotFoundError("order_not_found", `Order ${id} does not exist.`);
  }
  return order;
}

export async function listOrders(
  deps: OrdersDeps,
  principal: Principal,
  query: OrderFilter & { page: number; limit: number },
) {
  const { page, limit, ...filter } = query;
  // A customer's list is theirs whatever the filter says.
  const scoped = isStaff(principal) ? filter : { ...filter, customerId: principal.userId };
  const { data, total } = await orders.listOrders(deps.db, scoped, page, limit);
  return { data, pagination: { page, limit, total } };
}

/**
 * Cancels an order before it ships (its customer, or staff). A paid order is cancelled at once and
 * a refund saga puts its goods back and refunds the payment (the answer is the order after it ran:
 * `refunded`, or still `cancelled` if payments or inventory did not answer — it finishes later).
 */
export async function cancelOrder(
  deps: OrdersDeps,
  principal: Principal,
  id: string,
  reason: string | null,
): Promise<Order> {
  await getOrder(deps, principal, id);
  const refund = await withTx(deps.db, async (tx) => {
    const order = (await orders.lockOrder(tx, id))!;
    if (order.status === "pending" && (await checkouts.runningCheckoutOf(tx, id))) {
      throw new ConflictError("checkout_in_progress", `Order ${id} is still being checked out; try again in a moment.`);
    }
    const previousStatus = assertCancellable(order);
    const cancelled = await orders.updateOrder(tx, id, "cancelled", {
      cancelReason: reason,
      cancelledBy: principal.userId,
    });
    await publishOrder(tx, deps.outbox, cancelled, { previousStatus });
    if (previousStatus !== "paid") return undefined;
    const input: RefundInput = {
      orderId: id,
      paymentId: order.paymentId,
      allocation: order.allocation,
      reason: reason ?? "order cancelled",
    };
    return deps.sagas.start(tx, ORDER_REFUND, newId(), input);
  });
  if (refund) await deps.sagas.execute(refund);
  return (await orders.findOrder(deps.db, id))!;
}

/** Staff move a paid order to shipped (with its carrier and tracking number), then to delivered. */
export async function advanceOrder(
  deps: OrdersDeps,
  id: string,
  to: Extract<OrderStatus, "shipped" | "delivered">,
  shipment: { carrier?: string | null; trackingNumber?: string | null } = {},
): Promise<Order> {
  return withTx(deps.db, async (tx) => {
    const order = await orders.lockOrder(tx, id);
    if (!order) throw new NotFoundError("order_not_found", `Order ${id} does not exist.`);
    assertTransition(order, to);
    const moved = await orders.updateOrder(
      tx,
      id,
      to,
      to === "shipped" ? { carrier: shipment.carrier ?? null, trackingNumber: shipment.trackingNumber ?? null } : {},
    );
    await publishOrder(tx, deps.outbox, moved);
    return moved;
  });
}
