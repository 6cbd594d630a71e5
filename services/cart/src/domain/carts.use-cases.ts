import { SERVICE_ROLE } from "@comptoir/contracts";
import {
  ConflictError,
  ForbiddenError,
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
  type LineData,
  lineNotFound,
  lineOf,
  newCart,
  removeLine,
  setQuantity,
  takeOrdered,
  touch,
} from "../model/cart";
import { newCartToken, tokenMatches } from "../model/cart-token";
import type { CartStore } from "../model/cart.store";
import { type CartView, type CartWarning, renderCart } from "../model/cart-view";

export interface CartsDeps {
  store: CartStore;
  catalog: CatalogClient;
  inventory: InventoryClient;
  ttl: CartTtl;
  logger: Logger;
  now?: () => Date;
}

/** Who asks: their verified token (if any) and the guest cart token they sent (X-Cart-Token). */
export interface Caller {
  principal: Principal | null;
  cartToken: string | undefined;
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

/** Saves `change` of the cart (re-checking access on the fresh copy), its expiry pushed back. */
async function write(deps: CartsDeps, caller: Caller, id: string, change: (cart: Cart) => Cart): Promise<Cart> {
  const now = clock(deps);
  const saved = await deps.store.update(id, (cart) => {
    if (!mayWrite(cart, caller)) throw cartNotFound(id);
    return touch(change(cart), now, deps.ttl);
  });
  if (!saved) throw cartNotFound(id);
  return saved;
}

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
  /** The guest cart's secret, given this once. */
  token?: string;
}

/**
 * A guest cart (no token: a new secret token comes back, once) or the caller's own cart (a user's
 * token: their live cart if they have one, a new one otherwise).
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
  const { token, hash } = newCartToken();
  const { cart } = await deps.store.create(newCart({ id: newId(), tokenHash: hash }, now, deps.ttl));
  return { cart: await present(deps, cart), created: true, token };
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
): Promise<CartView> {
  const variantId = input.variantId.toLowerCase();
  await requireCart(deps, caller, id);
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
  const saved = await write(deps, caller, id, (cart) => addLine(cart, data, input.quantity, now, available));
  return present(deps, saved, [], { catalog: found, availability });
}

/** Sets a line's quantity; an increase is checked against stock (409 insufficient_stock). */
export async function changeQuantity(
  deps: CartsDeps,
  caller: Caller,
  id: string,
  variantId: string,
  quantity: number,
): Promise<CartView> {
  const line = lineOf(await requireCart(deps, caller, id), variantId.toLowerCase());
  if (!line) throw lineNotFound(variantId);
  const available = quantity > line.quantity ? await availableOf(deps, line.variantId) : undefined;
  return present(deps, await write(deps, caller, id, (cart) => setQuantity(cart, line.variantId, quantity, available)));
}

export async function removeItem(deps: CartsDeps, caller: Caller, id: string, variantId: string): Promise<CartView> {
  await requireCart(deps, caller, id);
  return present(deps, await write(deps, caller, id, (cart) => removeLine(cart, variantId.toLowerCase())));
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
 * and the customer's cart stays as it was.
 */
export async function associateCart(deps: CartsDeps, caller: Caller, id: string): Promise<CartView> {
  const customerId = requireShopper(caller).userId;
  const now = clock(deps);
  let capped: string[] = [];
  const saved = await deps.store.associate(id, customerId, (guest, current) => {
    if (guest.customerId !== null || !tokenMatches(guest.tokenHash, caller.cartToken)) throw guestCartNotFound(id);
    const result = associate(guest, current, customerId);
    capped = result.capped;
    return touch(result.cart, now, deps.ttl);
  });
  if (!saved) throw guestCartNotFound(id);
  return present(
    deps,
    saved,
    capped.map((variantId) => ({
      variantId,
      code: "quantity_capped",
      detail: `The merged quantity went over the limit of a line and was capped.`,
    })),
  );
}

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
