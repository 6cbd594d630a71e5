import type { EventData } from "@comptoir/contracts";
import type { Cart } from "./cart";

/**
 * Cart's milestones, the two first steps of the conversion funnel: a cart exists (`cart.cart.created`),
 * a cart holds something (`cart.cart.filled`). Each is published at most once per cart: the store
 * writes it with the cart (src/db/cart-events.repo.ts keeps which ones a cart has had).
 */
export type CartEvent =
  | { type: "cart.cart.created"; subject: string; data: EventData<"cart.cart.created"> }
  | { type: "cart.cart.filled"; subject: string; data: EventData<"cart.cart.filled"> };

function filled(cart: Cart): CartEvent {
  return {
    type: "cart.cart.filled",
    subject: cart.id,
    data: {
      cartId: cart.id,
      customerId: cart.customerId,
      filledAt: cart.updatedAt,
      itemCount: cart.items.reduce((units, line) => units + line.quantity, 0),
      lineCount: cart.items.length,
    },
  };
}

/** What saving `after` over `before` (undefined: a new cart) tells: created, and filled when it now holds items. */
export function cartEventsOf(before: Cart | undefined, after: Cart): CartEvent[] {
  const events: CartEvent[] = [];
  if (!before) {
    events.push({
      type: "cart.cart.created",
      subject: after.id,
      data: { cartId: after.id, customerId: after.customerId, createdAt: after.createdAt },
    });
  }
  // Empty before, not any more. Emptied and filled again is seen here too: the store publishes it once.
  if (after.items.length > 0 && (before?.items.length ?? 0) === 0) events.push(filled(after));
  return events;
}
