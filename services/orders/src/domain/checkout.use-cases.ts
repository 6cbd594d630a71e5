import { setTimeout as sleep } from "node:timers/promises";
import {
  ConflictError,
  type Db,
  ForbiddenError,
  IdempotencyKeyReusedError,
  InvalidError,
  memoizeAsync,
  newId,
  type Principal,
  problemError,
  UnauthorizedError,
  withTx,
} from "@comptoir/platform";
import type { Outbox } from "@comptoir/events";
import type { SagaRunner } from "@comptoir/sagas";
import type { CartClient } from "../clients/cart.client";
import type { CatalogClient } from "../clients/catalog.client";
import type { IdentityClient } from "../clients/identity.client";
import type { InventoryClient } from "../clients/inventory.client";
import * as checkouts from "../db/checkouts.repo";
import * as orders from "../db/orders.repo";
import { CHECKOUT, type CardVault, type CheckoutInput } from "./checkout.saga";
import { publishCheckoutStarted } from "./orders.events";
import { type Checkout, type CheckoutRequest, fingerprintOf } from "../model/checkout";
import { isForSale, type Order, type OrderLine, orderLineOf, type ShippingRules, totalsOf } from "../model/order";

export interface CheckoutDeps {
  db: Db;
  /** Where `orders.checkout.started` goes, with the checkout's row. */
  outbox: Outbox;
  sagas: SagaRunner;
  cards: CardVault;
  cart: CartClient;
  catalog: CatalogClient;
  identity: IdentityClient;
  /** Where a click-and-collect location is checked to be a store's. */
  inventory: InventoryClient;
  /** This database's key for checkout fingerprints (`fingerprintKeyOf`). */
  fingerprintKey: () => Promise<Buffer>;
  currency: string;
  shipping: ShippingRules;
  /** How long a call waits for its checkout (or a replay for the first call) before 409 checkout_in_progress. */
  waitMs: number;
}

/** Who is checking out: a customer's token, or a guest's cart token. */
export interface Caller {
  principal: Principal | null;
  authorization?: string;
  cartToken?: string;
}

/** Reads this database's fingerprint key once (and again after a failed read). */
export const fingerprintKeyOf = (db: Db): (() => Promise<Buffer>) => memoizeAsync(() => checkouts.fingerprintKey(db));

/**
 * `POST /api/orders/checkout`: one order per Idempotency-Key and caller, whatever happens. A new
 * key starts the checkout saga and waits for its outcome; the same key again (even while the first
 * call still runs) waits for the same outcome and answers it again: the order, or the same problem.
 * The checkout's row is the key's record, not the platform's `idempotency_keys`: its answer comes
 * from a saga that goes on after the call has given up (409 checkout_in_progress), and it is kept
 * with the order, never pruned.
 */
export async function checkout(deps: CheckoutDeps, caller: Caller, key: string, body: CheckoutRequest) {
  const principal = caller.principal;
  if (principal?.role === "service") throw new ForbiddenError("A checkout is made by a customer or a guest.");
  if (!principal && !caller.cartToken) {
    throw new UnauthorizedError(
      "Sign in as a customer, or send the guest cart's X-Cart-Token.",
      "authentication_required",
    );
  }
  if (!principal && !body.email) {
    throw new InvalidError("email_required", "A guest checkout needs an e-mail address for the order.", {
      errors: [{ in: "body", field: "email", message: "is required for a guest checkout" }],
    });
  }
  if (!body.pickupLocationId && !body.shippingAddress) {
    throw new InvalidError("shipping_address_required", "Give a shippingAddress, or a pickupLocationId to collect.", {
      errors: [{ in: "body", field: "shippingAddress", message: "is required without pickupLocationId" }],
    });
  }
  if (body.pickupLocationId && body.shippingAddress) {
    throw new InvalidError(
      "pickup_with_shipping_address",
      "Give a shippingAddress to be delivered, or a pickupLocationId to collect at a store, not both.",
      {
        errors: [
          { in: "body", field: "shippingAddress", message: "is not allowed with pickupLocationId" },
          { in: "body", field: "pickupLocationId", message: "is not allowed with shippingAddress" },
        ],
      },
    );
  }

  const scope = principal ? `customer:${principal.userId}` : `cart:${body.cartId}`;
  const fingerprint = fingerprintOf(await deps.fingerprintKey(), body);
  const credentials = { authorization: caller.authorization, cartToken: caller.cartToken };
  // A guest's keys are the cart's: only its token holder may replay one (and see the order).
  const guestCart = principal ? undefined : await deps.cart.read(body.cartId, credentials);
  const existing = await checkouts.findByKey(deps.db, scope, key);
  if (existing) return replay(deps, existing, fingerprint);

  const [cart, customer] = await Promise.all([
    guestCart ?? deps.cart.read(body.cartId, credentials),
    principal ? deps.identity.me(caller.authorization!) : undefined,
    body.pickupLocationId ? assertStorePickup(deps, body.pickupLocationId) : undefined,
  ]);
  if (cart.items.length === 0) throw new InvalidError("cart_empty", `Cart ${cart.id} is empty: nothing to order.`);

  const lines = await priceLines(deps, cart.items);
  const pickup = body.pickupLocationId ?? null;
  const checkoutId = newId();
  const input: CheckoutInput = {
    checkoutId,
    orderId: newId(),
    cartId: cart.id,
    customerId: principal?.userId ?? null,
    email: customer?.email ?? body.email!,
    language: body.language ?? customer?.language ?? "fr",
    lines,
    totals: totalsOf(lines, deps.currency, deps.shipping, pickup !== null),
    shippingAddress: body.shippingAddress
      ? { ...body.shippingAddress, line2: body.shippingAddress.line2 ?? null }
      : null,
    pickupLocationId: pickup,
  };

  const started = await withTx(deps.db, async (tx) => {
    const inserted = await checkouts.insertCheckout(tx, {
      id: checkoutId,
      scope,
      key,
      fingerprint,
      orderId: input.orderId,
    });
    if (!inserted) return undefined;
    await publishCheckoutStarted(tx, deps.outbox, input, new Date());
    return deps.sagas.start(tx, CHECKOUT, checkoutId, input);
  });
  if (!started) {
    // Another call with this key got there first (concurrent retries).
    return replay(deps, (await checkouts.findByKey(deps.db, scope, key))!, fingerprint);
  }
  // Kept in memory only until the checkout ends (a step waiting for a retry may still need it).
  deps.cards.set(checkoutId, body.payment.card);
  const saga = await deps.sagas.execute(started);
  if (saga?.status === "completed") {
    // Its checkout row was marked completed in the same transaction: the order is all there is to read.
    deps.cards.delete(checkoutId);
    return { order: (await orders.findOrder(deps.db, input.orderId))!, created: true };
  }
  return outcome(deps, checkoutId);
}

/**
 * Click-and-collect is at a store: the central warehouse and the online channel's location hand
 * nothing over (and a "pickup" there would have been a free delivery). 400 otherwise.
 */
async function assertStorePickup(deps: CheckoutDeps, locationId: string): Promise<void> {
  const location = await deps.inventory.location(locationId);
  if (!location) {
    throw new InvalidError("pickup_location_not_found", `There is no stock location ${locationId} to collect from.`, {
      errors: [{ in: "body", field: "pickupLocationId", message: "is not a known location" }],
    });
  }
  if (location.kind !== "store") {
    throw new InvalidError(
      "pickup_location_not_a_store",
      `Location ${location.code} is not a store (it is a ${location.kind} location): orders are collected at a store only.`,
      { errors: [{ in: "body", field: "pickupLocationId", message: "is not a store's location" }] },
    );
  }
}

/**
 * The order lines, named and priced by catalog now; variants gone or not for sale → 409
 * items_unavailable. So is a price above MAX_UNIT_PRICE (one set before catalog capped prices
 * there): refused here, before any stock is held or card authorized, rather than by payments.
 */
async function priceLines(deps: CheckoutDeps, items: { variantId: string; quantity: number }[]): Promise<OrderLine[]> {
  const variants = new Map((await deps.catalog.variants(items.map((i) => i.variantId))).map((v) => [v.id, v]));
  const unavailable = items.filter((item) => {
    const v = variants.get(item.variantId);
    return !v || !isForSale(v, deps.currency);
  });
  if (unavailable.length > 0) {
    throw new ConflictError("items_unavailable", "Some items of the cart are no longer for sale.", {
      extensions: { items: unavailable.map((i) => i.variantId) },
    });
  }
  return items.map((item) => orderLineOf(variants.get(item.variantId)!, item.quantity));
}

/** A checkout from before migration 002 has no fingerprint: its key alone makes a replay. */
async function replay(deps: CheckoutDeps, row: Checkout, fingerprint: string) {
  if (row.fingerprint !== null && row.fingerprint !== fingerprint) {
    throw new IdempotencyKeyReusedError(
      "This Idempotency-Key was used for another checkout request; use a new key for a new checkout.",
    );
  }
  return outcome(deps, row.id);
}

/**
 * Waits for the checkout to end, carrying its saga on when a retry of a step is due (so a caller
 * gets the outcome without waiting for the background worker), for at most `waitMs`.
 */
async function outcome(deps: CheckoutDeps, checkoutId: string): Promise<{ order: Order; created: boolean }> {
  const deadline = Date.now() + deps.waitMs;
  for (;;) {
    const row = (await checkouts.findCheckout(deps.db, checkoutId))!;
    if (row.status !== "running") deps.cards.delete(checkoutId);
    if (row.status === "completed") return { order: (await orders.findOrder(deps.db, row.orderId))!, created: true };
    if (row.status === "failed") throw problemError(row.problem!);
    if (Date.now() >= deadline) {
      throw new ConflictError(
        "checkout_in_progress",
        "This checkout is still being processed; send the same request with the same Idempotency-Key again for its outcome.",
        { headers: { "retry-after": "1" } },
      );
    }
    await sleep(50);
    await deps.sagas.execute(checkoutId, { dueOnly: true });
  }
}
