import type { Cart } from "./cart";

/**
 * Where carts live: PostgreSQL (default) or Redis (REDIS_URL). Both keep the same promises, checked
 * by one contract suite (test/store.contract.test.ts):
 * - an expired cart is gone: no read, update or association sees it;
 * - one live cart per customer;
 * - `update` and `associate` are atomic: concurrent writers to a cart never lose an update (an
 *   optimistic compare-and-set, retried, in both; PostgreSQL falls back to a row lock after a few
 *   lost races, and associates under row locks), and a `change` that throws saves nothing;
 * - a new cart publishes `cart.cart.created`, and a cart's first item (an add, or lines merged into
 *   it) `cart.cart.filled`, each once per cart and never lost: PostgreSQL writes them to the outbox
 *   in the cart's transaction; Redis queues them atomically with the cart and relays them to the
 *   outbox (src/model/cart-events.ts).
 */
export interface CartStore {
  readonly kind: "postgresql" | "redis";
  /** The cart, if it exists and has not expired. */
  get(id: string): Promise<Cart | undefined>;
  /** The customer's live cart. */
  findByCustomer(customerId: string): Promise<Cart | undefined>;
  /**
   * Saves a new cart. A customer who already has a live cart keeps it, and a live cart with the same
   * id (a guest cart created again under its Idempotency-Key) stays: that one comes back, `created: false`.
   */
  create(cart: Cart): Promise<{ cart: Cart; created: boolean }>;
  /**
   * Reads the live cart, applies `change` and saves its result, atomically. `change` may be called
   * more than once (Redis retries on a concurrent write), so it must be pure; returning the cart it
   * was given saves nothing. Undefined when there is no live cart.
   */
  update(id: string, change: (cart: Cart) => Cart): Promise<Cart | undefined>;
  /**
   * Atomically: the live guest cart `guestId` and the customer's live cart (if any) go to `merge`,
   * whose result is saved as the customer's cart; the guest cart is deleted unless the result is it
   * (adopted). Undefined when there is no live cart `guestId`. `merge` may be called more than once.
   */
  associate(
    guestId: string,
    customerId: string,
    merge: (guest: Cart, current: Cart | undefined) => Cart,
  ): Promise<Cart | undefined>;
  /** Deletes expired carts and returns how many (PostgreSQL); Redis expires keys by itself (0). */
  sweep(): Promise<number>;
  /**
   * Moves the events queued with carts into the outbox, and returns how many it moved: Redis's
   * queue, after a crash between a cart's write and its relay (each write relays its own events at
   * once). PostgreSQL writes them with the cart: 0.
   */
  relayEvents(): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
