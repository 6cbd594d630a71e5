import type { Outbox } from "@comptoir/events";
import type { Queryable } from "@comptoir/platform";
import type { CartEvent } from "../model/cart-events";

/**
 * Publishes each event through the outbox, in the caller's transaction, unless the cart has
 * published that type already (`cart_events`): once per cart and type, however often it is asked.
 * Returns how many were published.
 */
export async function publishCartEvents(tx: Queryable, outbox: Outbox, events: readonly CartEvent[]): Promise<number> {
  let published = 0;
  for (const event of events) {
    const { rowCount } = await tx.query(
      "INSERT INTO cart_events (cart_id, type) VALUES ($1, $2) ON CONFLICT DO NOTHING",
      [event.subject, event.type],
    );
    if (rowCount !== 1) continue;
    await outbox.publish(tx, event);
    published++;
  }
  return published;
}

/** Forgets the milestones of carts that are gone (PostgreSQL store: no row any more); returns how many. */
export async function deleteOrphanCartEvents(db: Queryable, limit: number): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM cart_events WHERE (cart_id, type) IN (
       SELECT e.cart_id, e.type FROM cart_events e
        WHERE NOT EXISTS (SELECT 1 FROM carts c WHERE c.id = e.cart_id)
        LIMIT $1 FOR UPDATE SKIP LOCKED)`,
    [limit],
  );
  return rowCount ?? 0;
}
