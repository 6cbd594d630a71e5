import { SERVICE_ROLE } from "@comptoir/contracts";
import {
  AppError,
  ConflictError,
  ForbiddenError,
  IdempotencyKeyReusedError,
  InvalidError,
  type Logger,
  NotFoundError,
  newId,
  type Principal,
  UnauthorizedError,
} from "@comptoir/platform";
import type { CatalogClient } from "../clients/catalog.client";
import type { InventoryClient } from "../clients/inventory.client";
import {
  addLine,
  associate,
  type Cart,
  type CartTtl,
  cartNotFound,
  hasApplied,
  keyedWrite,
  type LineData,
  lineNotFound,
  lineOf,
  newCart,
  type RecentKey,
  rememberKey,
  removeLine,
  setQuantity,
  takeOrdered,
  touch,
} from "../model/cart";
import { cartFromKey, MIN_GUEST_CART_KEY_LENGTH, newCartToken, tokenMatches } from "../model/cart-token";
import type { CartStore } from "../model/cart.store";
import { type CartView, type CartWarning, renderCart } from "../model/cart-view";

export interface CartsDeps {
  store: CartStore;
  catalog: CatalogClient;
  inventory: InventoryClient;
  ttl: CartTtl;
  logger: Logger;
  /** The HMAC key guest carts created with an Idempotency-Key derive their id and token from (cartKeySecret). */
  keySecret: Buffer;
  now?: () => Date;
}

/**
 * Who asks: their verified token (if any), the guest cart token they sent (X-Cart-Token), and the
 * Idempotency-Key of their request (if any): a write sent again under its key is applied once.
 */
export interface Caller {
  principal: Principal | null;
  cartToken: string | undefined;
  idempotencyKey?: string;
}

/** The cart after a write; `replayed` when the write had already been applied under its Idempotency-Key. */
export interface Written {
  cart: CartView;
  replayed: boolean;
}

const clock = (deps: CartsDeps) => deps.now?.() ?? new Date();

const isUser = (p: Principal | null): p is Principal => p !== null && p.role !== SERVICE_ROLE;

/** A guest cart opens with its token; a customer cart with its owner's token. */
function mayWrite(cart: Cart, caller: Caller): boolean {
  if (cart.customerId !== null) return isUser(caller.principal) && caller.principal.userId === cart.customerId;
  return tokenMatches(cart.tokenHash, caller.cartToken);
}

/**
 * Reading also opens to carts:manage (the orders service at checkout). A guest token that comes
 * with the request is checked even then: orders passes the shopper's X-Cart-Token along, and a
 * wrong one must not be covered by orders' own rights.
 */
function mayRead(cart: Cart, caller: Caller): boolean {
  if (cart.customerId === null && caller.cartToken !== undefined) return mayWrite(cart, caller);
  return caller.principal?.permissions.includes("carts:manage") === true || mayWrite(cart, caller);
}

function requireShopper(caller: Caller): Principal {
  if (!caller.principal) throw new UnauthorizedError();
  if (!isUser(caller.principal)) throw new ForbiddenError("Carts belong to people; a service token cannot own one.");
  return caller.principal;
}

/** The cart if the caller may see it; someone else's is as absent as an expired one (404). */
async function requireCart(deps: CartsDeps, caller: Caller, id: string, access = mayWrite): Promise<Cart> {
  const cart = await deps.store.get(id);
  if (!cart || !access(cart, caller)) throw cartNotFound(id);
  return cart;
}

/**
 * Saves `change` of the cart (re-checking access on the fresh copy), its expiry pushed back. A
 * keyed write (`keyed`) is checked and remembered in the same atomic update: one the cart has
 * already applied changes nothing (`replayed`), its key with another request is a 422.
 */
async function write(
  deps: CartsDeps,
  caller: Caller,
  id: string,
  change: (cart: Cart) => Cart,
  keyed?: RecentKey,
): Promise<{ cart: Cart; replayed: boolean }> {
  const now = clock(deps);
  let replayed = false;
  const saved = await deps.store.update(id, (cart) => {
    replayed = false;
    if (!mayWrite(cart, caller)) throw cartNotFound(id);
    if (!keyed) return touch(change(cart), now, deps.ttl);
    if (hasApplied(cart, keyed)) {
      replayed = true;
      return cart;
    }
    return touch(rememberKey(change(cart), keyed), now, deps.ttl);
  });
  if (!saved) throw cartNotFound(id);
  return { cart: saved, replayed };
}

/** The request's write under its Idempotency-Key (operation and input make its fingerprint); none without a key. */
const keyedOf = (caller: Caller, operation: string, input: Record<string, unknown>): RecentKey | undefined =>
  caller.idempotencyKey === undefined ? undefined : keyedWrite(caller.idempotencyKey, operation, input);

/**
 * The cart as the shopper sees it, catalog and inventory asked in parallel. Either one not
 * answering leaves the stored data on show with a warning: a shopper always sees their cart.
 */
export async function present(
  deps: CartsDeps,
  cart: Cart,
  extra: CartWarning[] = [],
  /** What the caller has just been told by catalog and inventory (the variant it added): not asked again. */
  known: { catalog?: CatalogAnswer; availability?: AvailabilityAnswer } = {},
): Promise<CartView> {
  const ids = cart.items.map((l) => l.variantId);
  if (ids.length === 0) return renderCart(cart, { catalog: new Map(), availability: new Map() }, extra);
  const [catalog, availability] = await Promise.allSettled([
    askFor(ids, known.catalog, (missing) => deps.catalog.variants(missing)),
    askFor(ids, known.availability, (missing) => deps.inventory.availability(missing)),
  ]);
  for (const [name, result] of [
    ["catalog", catalog],
    ["inventory", availability],
  ] as const) {
    if (result.status === "rejected") {
      deps.logger.warn({ err: result.reason, cartId: cart.id }, `${name} did not answer; the cart is shown as stored`);
    }
  }
  return renderCart(
    cart,
    {
      catalog: catalog.status === "fulfilled" ? catalog.value : undefined,
      availability: availability.status === "fulfilled" ? availability.value : undefined,
    },
    extra,
  );
}

type CatalogAnswer = Awaited<ReturnType<CatalogClient["variants"]>>;
type AvailabilityAnswer = Awaited<ReturnType<InventoryClient["availability"]>>;

/** The answers for `ids`: those already known, and the others asked for (not at all when none is missing). */
async function askFor<V>(
  ids: string[],
  known: Map<string, V> | undefined,
  ask: (missing: string[]) => Promise<Map<string, V>>,
): Promise<Map<string, V>> {
  const missing = known ? ids.filter((id) => !known.has(id)) : ids;
  if (missing.length === 0) return known!;
  const asked = await ask(missing);
  return known ? new Map([...known, ...asked]) : asked;
}

/** Inventory's answer for the variant; undefined when it does not answer (checkout checks again). */
async function availabilityOf(deps: CartsDeps, variantId: string): Promise<AvailabilityAnswer | undefined> {
  try {
    return await deps.inventory.availability([variantId]);
  } catch (error) {
    deps.logger.warn({ err: error, variantId }, "inventory did not answer; the quantity is not checked against stock");
    return undefined;
  }
}

/** What inventory can sell of the variant; undefined when it does not answer. */
async function availableOf(deps: CartsDeps, variantId: string): Promise<number | undefined> {
  const answer = await availabilityOf(deps, variantId);
  return answer ? (answer.get(variantId)?.available ?? 0) : undefined;
}

export interface CreatedCart {
  cart: CartView;
  created: boolean;
  /** The guest cart's secret, given this once (and again to a create replayed under its Idempotency-Key). */
  token?: string;
  /** A guest cart already created under this Idempotency-Key. */
  replayed?: boolean;
}

/**
 * A guest cart (no token: a new secret token comes back, once) or the caller's own cart (a user's
 * token: their live cart if they have one, a new one otherwise). A guest cart created with an
 * Idempotency-Key has its id and token derived from the key (cartFromKey): the same key again finds
 * that cart and gives its token back, on any instance. The key then stands for the token: 400
 * idempotency_key_too_short under MIN_GUEST_CART_KEY_LENGTH characters.
 */
export async function createCart(deps: CartsDeps, caller: Caller): Promise<CreatedCart> {
  const now = clock(deps);
  if (caller.principal) {
    const customerId = requireShopper(caller).userId;
    const existing = await deps.store.findByCustomer(customerId);
    if (existing) return { cart: await present(deps, existing), created: false };
    const { cart, created } = await deps.store.create(newCart({ id: newId(), customerId }, now, deps.ttl));
    return { cart: await present(deps, cart), created };
  }
  if (caller.idempotencyKey !== undefined) return createKeyedGuestCart(deps, caller.idempotencyKey, now);
  const { token, hash } = newCartToken();
  const { cart } = await deps.store.create(newCart({ id: newId(), tokenHash: hash }, now, deps.ttl));
  return { cart: await present(deps, cart), created: true, token };
}

async function createKeyedGuestCart(deps: CartsDeps, key: string, now: Date): Promise<CreatedCart> {
  if (key.length < MIN_GUEST_CART_KEY_LENGTH) {
    throw new InvalidError(
      "idempotency_key_too_short",
      `A guest cart's Idempotency-Key stands for its token: it must be at least ${MIN_GUEST_CART_KEY_LENGTH} characters (a UUID).`,
      {
        errors: [{ in: "headers", field: "idempotency-key", message: `is shorter than ${MIN_GUEST_CART_KEY_LENGTH}` }],
      },
    );
  }
  const { id, token, hash } = cartFromKey(deps.keySecret, key);
  const existing = await deps.store.get(id);
  // Two creates at once under one key: the store keeps one cart and gives it to both.
  const { cart, created } = existing
    ? { cart: existing, created: false }
    : await deps.store.create(newCart({ id, tokenHash: hash }, now, deps.ttl));
  // Associated since, the cart is a customer's now and its token is gone: the key cannot give it back.
  if (!tokenMatches(cart.tokenHash, token)) {
    throw new IdempotencyKeyReusedError(
      "The guest cart created under this Idempotency-Key has been associated with a customer since; create a cart with a new key.",
    );
  }
  return { cart: await present(deps, cart), created, token, replayed: !created };
}

/** The cart, re-priced and checked (or, with `refresh: false`, as stored: for a caller that prices it itself). */
export async function getCart(deps: CartsDeps, caller: Caller, id: string, refresh = true): Promise<CartView> {
  const cart = await requireCart(deps, caller, id, mayRead);
  if (!refresh) return renderCart(cart, { catalog: undefined, availability: undefined, skipped: true });
  return present(deps, cart);
}

export async function myCart(deps: CartsDeps, caller: Caller): Promise<CartView> {
  const customerId = requireShopper(caller).userId;
  const cart = await deps.store.findByCustomer(customerId);
  if (!cart) throw new NotFoundError("cart_not_found", "You have no cart yet (or it has expired).");
  return present(deps, cart);
}

/**
 * Adds units of a variant (merged into its line). Catalog must know it (404 variant_not_found) and
 * sell it (409 variant_not_available); the line may not exceed what inventory can sell (409
 * insufficient_stock with `available`). Without catalog nothing can be priced: 503. Without
 * inventory the add goes through unchecked (checkout reserves the stock anyway).
 */
export async function addItem(
  deps: CartsDeps,
  caller: Caller,
  id: string,
  input: { variantId: string; quantity: number },
): Promise<Written> {
  const variantId = input.variantId.toLowerCase();
  const keyed = keyedOf(caller, "add", { variantId, quantity: input.quantity });
  const current = await requireCart(deps, caller, id);
  // A replay is answered without asking catalog again (the update below checks it atomically anyway).
  if (keyed && hasApplied(current, keyed)) return { cart: await present(deps, current), replayed: true };
  const found = await deps.catalog.variants([variantId]);
  const variant = found.get(variantId);
  if (!variant) throw new NotFoundError("variant_not_found", `The catalog has no variant ${variantId}.`);
  if (variant.productStatus !== "active") {
    throw new ConflictError(
      "variant_not_available",
      `Variant ${variantId} is not on sale (${variant.productStatus}).`,
      {
        extensions: { variantId, productStatus: variant.productStatus },
      },
    );
  }
  const availability = await availabilityOf(deps, variantId);
  const available = availability ? (availability.get(variantId)?.available ?? 0) : undefined;
  const data: LineData = {
    variantId,
    priceAtAdd: variant.price,
    currency: variant.currency,
    productId: variant.productId,
    sku: variant.sku,
    name: variant.productName,
    thumbnailUrl: variant.thumbnailUrl,
  };
  const now = clock(deps);
  const saved = await write(deps, caller, id, (cart) => addLine(cart, data, input.quantity, now, available), keyed);
  return { cart: await present(deps, saved.cart, [], { catalog: found, availability }), replayed: saved.replayed };
}

/** Sets a line's quantity; an increase is checked against stock (409 insufficient_stock). */
export async function changeQuantity(
  deps: CartsDeps,
  caller: Caller,
  id: string,
  variantId: string,
  quantity: number,
): Promise<Written> {
  const keyed = keyedOf(caller, "set", { variantId: variantId.toLowerCase(), quantity });
  const current = await requireCart(deps, caller, id);
  if (keyed && hasApplied(current, keyed)) return { cart: await present(deps, current), replayed: true };
  const line = lineOf(current, variantId.toLowerCase());
  if (!line) throw lineNotFound(variantId);
  const available = quantity > line.quantity ? await availableOf(deps, line.variantId) : undefined;
  const saved = await write(deps, caller, id, (cart) => setQuantity(cart, line.variantId, quantity, available), keyed);
  return { cart: await present(deps, saved.cart), replayed: saved.replayed };
}

/** Removes a line; sent again under its Idempotency-Key once the line is gone, the cart as it is (replayed). */
export async function removeItem(deps: CartsDeps, caller: Caller, id: string, variantId: string): Promise<Written> {
  const keyed = keyedOf(caller, "remove", { variantId: variantId.toLowerCase() });
  const current = await requireCart(deps, caller, id);
  if (keyed && hasApplied(current, keyed)) return { cart: await present(deps, current), replayed: true };
  const saved = await write(deps, caller, id, (cart) => removeLine(cart, variantId.toLowerCase()), keyed);
  return { cart: await present(deps, saved.cart), replayed: saved.replayed };
}

const guestCartNotFound = (id: string) =>
  new NotFoundError(
    "cart_not_found",
    `No guest cart ${id} for this X-Cart-Token (it may have expired, or been associated already); your cart is unchanged.`,
  );

/**
 * After login (seed 001 §7.3): the guest cart, opened by its X-Cart-Token, is merged into the
 * caller's cart (quantities added) or, if they have none, becomes it. Either way the guest cart
 * and its token are gone afterwards. An unknown or expired guest cart (or a wrong token) is a 404
 * and the customer's cart stays as it was. With an Idempotency-Key, the key is remembered in the
 * resulting cart: sent again once the guest cart is gone, the caller's cart as it is (replayed).
 */
export async function associateCart(deps: CartsDeps, caller: Caller, id: string): Promise<Written> {
  const customerId = requireShopper(caller).userId;
  const keyed = keyedOf(caller, "associate", { guestCartId: id });
  const now = clock(deps);
  let capped: string[] = [];
  let saved: Cart | undefined;
  try {
    saved = await deps.store.associate(id, customerId, (guest, current) => {
      if (guest.customerId !== null || !tokenMatches(guest.tokenHash, caller.cartToken)) throw guestCartNotFound(id);
      const result = associate(guest, current, customerId);
      capped = result.capped;
      if (keyed) hasApplied(result.cart, keyed); // the key, already used for another request: 422
      return touch(keyed ? rememberKey(result.cart, keyed) : result.cart, now, deps.ttl);
    });
  } catch (error) {
    // An adopted guest cart is the caller's now: its retry meets a customer cart where a guest cart was.
    if (!(keyed && isCartNotFound(error))) throw error;
  }
  if (!saved) {
    const mine = keyed && (await deps.store.findByCustomer(customerId));
    if (mine && hasApplied(mine, keyed)) return { cart: await present(deps, mine), replayed: true };
    throw guestCartNotFound(id);
  }
  const cart = await present(
    deps,
    saved,
    capped.map((variantId) => ({
      variantId,
      code: "quantity_capped",
      detail: `The merged quantity went over the limit of a line and was capped.`,
    })),
  );
  return { cart, replayed: false };
}

const isCartNotFound = (error: unknown) => error instanceof AppError && error.code === "cart_not_found";

/**
 * The orders service, once an order is placed: the ordered quantities leave the cart (lines added
 * since checkout began stay). Idempotent by orderId.
 */
export async function markOrdered(
  deps: CartsDeps,
  id: string,
  input: { orderId: string; items: { variantId: string; quantity: number }[] },
): Promise<void> {
  const now = clock(deps);
  const items = input.items.map((i) => ({ ...i, variantId: i.variantId.toLowerCase() }));
  const saved = await deps.store.update(id, (cart) => {
    const next = takeOrdered(cart, input.orderId, items);
    return next === cart ? cart : touch(next, now, deps.ttl);
  });
  if (!saved) throw cartNotFound(id);
}
