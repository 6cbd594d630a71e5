import type { Outbox } from "@comptoir/events";
import { type Db, PgCode, pgErrorCode, pingDatabase, withTx } from "@comptoir/platform";
import type { Cart } from "../model/cart";
import { cartEventsOf } from "../model/cart-events";
import type { CartStore } from "../model/cart.store";
import { deleteOrphanCartEvents, publishCartEvents } from "./cart-events.repo";
import * as repo from "./carts.repo";

const SWEEP_BATCH = 1000;
/** Compare-and-set attempts of an update before it queues on the row lock instead. */
const OPTIMISTIC_ATTEMPTS = 3;

/**
 * Carts in the service's PostgreSQL database. An update is a compare-and-set on the row's version:
 * read, change, write only if nobody wrote in between (two statements, no transaction: a cart has
 * one shopper, so writers seldom meet). When they do, the change is applied again to the fresh
 * copy; after a few lost races the update locks the row (SELECT … FOR UPDATE) and cannot lose again.
 * A write that is a milestone (a new cart, a cart's first item) is one transaction with its event in
 * the outbox (`cart.cart.created`, `cart.cart.filled`).
 */
export function createPostgresCartStore(db: Db, options: { outbox: Outbox; now?: () => number }): CartStore {
  const now = () => new Date(options.now?.() ?? Date.now());
  const outbox = options.outbox;
  return {
    kind: "postgresql",

    get: (id) => repo.findCart(db, id, now()),

    findByCustomer: (customerId) => repo.findCustomerCart(db, customerId, now()),

    async create(cart) {
      if (!cart.customerId) {
        return withTx(db, async (tx) => {
          await repo.deleteExpiredCart(tx, cart.id, now());
          // A concurrent insert of the same id (a guest cart created twice under one key) makes this
          // one wait, then do nothing: the winner's cart comes back.
          if (await repo.insertCart(tx, cart)) {
            await publishCartEvents(tx, outbox, cartEventsOf(undefined, cart));
            return { cart, created: true };
          }
          const existing = await repo.findCart(tx, cart.id, now());
          if (!existing) throw new Error(`cart ${cart.id} vanished while creating it`);
          return { cart: existing, created: false };
        });
      }
      const customerId = cart.customerId;
      return withTx(db, async (tx) => {
        await repo.deleteExpiredCustomerCart(tx, customerId, now());
        // A concurrent insert for the same customer makes this one wait, then do nothing.
        if (await repo.insertCart(tx, cart)) {
          await publishCartEvents(tx, outbox, cartEventsOf(undefined, cart));
          return { cart, created: true };
        }
        const existing = await repo.findCustomerCart(tx, customerId, now());
        if (!existing) throw new Error(`customer ${customerId}'s cart vanished while creating one`);
        return { cart: existing, created: false };
      });
    },

    async update(id, change) {
      for (let attempt = 1; attempt <= OPTIMISTIC_ATTEMPTS; attempt++) {
        const found = await repo.findCartVersion(db, id, now());
        if (!found) return undefined;
        const next = change(found.cart);
        if (next === found.cart) return found.cart;
        const events = cartEventsOf(found.cart, next);
        const saved =
          events.length === 0
            ? await repo.saveCartIf(db, next, found.version)
            : await withTx(db, async (tx) => {
                const written = await repo.saveCartIf(tx, next, found.version);
                if (written) await publishCartEvents(tx, outbox, events);
                return written;
              });
        if (saved) return saved;
      }
      return withTx(db, async (tx) => {
        const cart = await repo.findCart(tx, id, now(), true);
        if (!cart) return undefined;
        const next = change(cart);
        if (next === cart) return cart;
        const saved = await repo.saveCart(tx, next);
        await publishCartEvents(tx, outbox, cartEventsOf(cart, next));
        return saved;
      });
    },

    async associate(guestId, customerId, merge) {
      // Two associations for a customer who has no cart may both adopt theirs: the unique index lets
      // one win, and the other, tried again, merges into the winner's.
      for (let attempt = 1; ; attempt++) {
        try {
          return await withTx(db, async (tx) => {
            await repo.deleteExpiredCustomerCart(tx, customerId, now());
            const carts = await repo.lockForAssociation(tx, guestId, customerId, now());
            const guest = carts.find((c) => c.id === guestId);
            if (!guest) return undefined;
            const current = carts.find((c) => c.id !== guestId && c.customerId === customerId);
            const result: Cart = merge(guest, current);
            const saved = await repo.saveCart(tx, result);
            if (result.id !== guest.id) await repo.deleteCart(tx, guest.id);
            // Adopted, the guest cart is what it was; merged, the customer's cart may hold its first items.
            await publishCartEvents(
              tx,
              outbox,
              cartEventsOf(result.id === guest.id ? guest : (current ?? guest), result),
            );
            return saved;
          });
        } catch (error) {
          if (attempt < 3 && pgErrorCode(error) === PgCode.uniqueViolation) continue;
          throw error;
        }
      }
    },

    async sweep() {
      let total = 0;
      for (;;) {
        const n = await repo.deleteExpired(db, now(), SWEEP_BATCH);
        total += n;
        if (n < SWEEP_BATCH) break;
      }
      // The milestones of carts that are gone: their ids never come back.
      while ((await deleteOrphanCartEvents(db, SWEEP_BATCH)) === SWEEP_BATCH);
      return total;
    },

    relayEvents: async () => 0,

    ping: () => pingDatabase(db),

    async close() {
      // The pool belongs to the service.
    },
  };
}
