import { MAX_CART_LINES, MAX_LINE_QUANTITY } from "@comptoir/contracts";
import {
  ConflictError,
  DateTime,
  fingerprint,
  Id,
  IdempotencyKeyReusedError,
  NotFoundError,
  Nullable,
  type Static,
  Type,
} from "@comptoir/platform";

/**
 * At most this many units on one line, and this many lines in one cart: contracts' money caps are
 * built on them (a full cart of the dearest variants is still an amount orders and payments take).
 */
export { MAX_LINE_QUANTITY };
export const MAX_LINES = MAX_CART_LINES;
/** Orders remembered per cart for `ordered`'s idempotency (a cart sees very few). */
const MAX_ORDER_IDS = 20;
/**
 * Idempotency-Keys remembered per cart (the oldest forgotten first): enough for a gateway's retry of
 * the last few writes, which comes within seconds.
 */
export const MAX_RECENT_KEYS = 50;

/** One line as stored: the variant, its quantity, and what catalog said of it when it was last added. */
export const CartLine = Type.Object({
  variantId: Id,
  quantity: Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY }),
  /** Unit price in minor units when the line was last added (what the shopper agreed to). */
  priceAtAdd: Type.Integer(),
  currency: Type.String(),
  /** Catalog's data when last added: shown as they are when catalog cannot answer. */
  productId: Id,
  sku: Type.String(),
  name: Type.String(),
  thumbnailUrl: Nullable(Type.String()),
  addedAt: DateTime,
});
export type CartLine = Static<typeof CartLine>;

/** A keyed write the cart has seen: its Idempotency-Key and the fingerprint of what it asked. */
export const RecentKey = Type.Object({ key: Type.String(), fingerprint: Type.String() });
export type RecentKey = Static<typeof RecentKey>;

/** A cart as stored (PostgreSQL row or Redis value); what callers see is contracts' cartHttp.Cart. */
export const Cart = Type.Object({
  id: Id,
  /** The owner of a customer cart; null for a guest cart. */
  customerId: Nullable(Id),
  /** sha256 (hex) of a guest cart's secret token; null for a customer cart. The token itself is never stored. */
  tokenHash: Nullable(Type.String()),
  items: Type.Array(CartLine, { maxItems: MAX_LINES }),
  /** Orders already taken out of this cart (newest last): `ordered` with one of them changes nothing. */
  orderIds: Type.Array(Type.String()),
  /** The keyed writes applied to this cart (newest last, at most MAX_RECENT_KEYS): a replay changes nothing. */
  recentKeys: Type.Array(RecentKey, { maxItems: MAX_RECENT_KEYS }),
  createdAt: DateTime,
  updatedAt: DateTime,
  expiresAt: DateTime,
});
export type Cart = Static<typeof Cart>;

export interface CartTtl {
  guestSeconds: number;
  customerSeconds: number;
}

/** What catalog says of a variant now, as a line takes it when the variant is added. */
export type LineData = Omit<CartLine, "quantity" | "addedAt">;

export const cartNotFound = (id: string) =>
  new NotFoundError("cart_not_found", `No cart ${id} for this caller (it may have expired).`);
export const lineNotFound = (variantId: string) =>
  new NotFoundError("line_not_found", `The cart has no line for variant ${variantId}.`);
export const insufficientStock = (variantId: string, requested: number, available: number) =>
  new ConflictError("insufficient_stock", `Only ${available} of variant ${variantId} available; ${requested} asked.`, {
    extensions: { variantId, requested, available },
  });

const ttlOf = (cart: Pick<Cart, "customerId">, ttl: CartTtl) =>
  cart.customerId ? ttl.customerSeconds : ttl.guestSeconds;

/** The cart as written at `now`: updated, its expiry pushed back by its kind's lifetime. */
export function touch(cart: Cart, now: Date, ttl: CartTtl): Cart {
  return {
    ...cart,
    updatedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ttlOf(cart, ttl) * 1000).toISOString(),
  };
}

export function newCart(
  input:
    | { id: string; customerId: string; tokenHash?: undefined }
    | { id: string; customerId?: undefined; tokenHash: string },
  now: Date,
  ttl: CartTtl,
): Cart {
  const at = now.toISOString();
  return touch(
    {
      id: input.id,
      customerId: input.customerId ?? null,
      tokenHash: input.tokenHash ?? null,
      items: [],
      orderIds: [],
      recentKeys: [],
      createdAt: at,
      updatedAt: at,
      expiresAt: at,
    },
    now,
    ttl,
  );
}

/**
 * A write under an Idempotency-Key: the key and the fingerprint of the operation and its input
 * (`keyedWrite("add", { variantId, quantity })`), so that the same key on another operation or with
 * another input is told apart from a replay.
 */
export function keyedWrite(key: string, operation: string, input: Record<string, unknown>): RecentKey {
  return { key, fingerprint: fingerprint({ operation, ...input }) };
}

/**
 * Whether the cart has already applied `write`: true for a replay (the same key and fingerprint),
 * false for a key it has not seen; 422 idempotency_key_reused for its key with another fingerprint.
 */
export function hasApplied(cart: Pick<Cart, "recentKeys">, write: RecentKey): boolean {
  const seen = cart.recentKeys.find((k) => k.key === write.key);
  if (!seen) return false;
  if (seen.fingerprint !== write.fingerprint) throw new IdempotencyKeyReusedError();
  return true;
}

/** The cart remembering `write` (the oldest key forgotten beyond MAX_RECENT_KEYS). */
export function rememberKey(cart: Cart, write: RecentKey): Cart {
  return {
    ...cart,
    recentKeys: [...cart.recentKeys.filter((k) => k.key !== write.key), write].slice(-MAX_RECENT_KEYS),
  };
}

export function isLive(cart: Pick<Cart, "expiresAt">, now: number): boolean {
  return Date.parse(cart.expiresAt) > now;
}

export const lineOf = (cart: Cart, variantId: string) => cart.items.find((l) => l.variantId === variantId);

function checkQuantity(variantId: string, quantity: number, available: number | undefined): void {
  if (quantity > MAX_LINE_QUANTITY) {
    throw new ConflictError(
      "line_quantity_limit",
      `A line holds at most ${MAX_LINE_QUANTITY} units; variant ${variantId} would have ${quantity}.`,
      { extensions: { variantId, max: MAX_LINE_QUANTITY } },
    );
  }
  if (available !== undefined && quantity > available) throw insufficientStock(variantId, quantity, available);
}

const cartFull = () =>
  new ConflictError("cart_full", `A cart holds at most ${MAX_LINES} lines.`, { extensions: { max: MAX_LINES } });

/**
 * Adds `quantity` units: merged into the variant's line if there is one (which then takes the
 * current catalog data: the shopper saw today's price when adding), a new line at the end otherwise.
 * `available` (when inventory answered) bounds the line's new quantity.
 */
export function addLine(cart: Cart, data: LineData, quantity: number, now: Date, available?: number): Cart {
  const existing = lineOf(cart, data.variantId);
  const total = (existing?.quantity ?? 0) + quantity;
  checkQuantity(data.variantId, total, available);
  if (existing) {
    return { ...cart, items: cart.items.map((l) => (l === existing ? { ...l, ...data, quantity: total } : l)) };
  }
  if (cart.items.length >= MAX_LINES) throw cartFull();
  return { ...cart, items: [...cart.items, { ...data, quantity, addedAt: now.toISOString() }] };
}

/** Sets a line's quantity (1..999); an increase is bounded by `available` when given. */
export function setQuantity(cart: Cart, variantId: string, quantity: number, available?: number): Cart {
  const line = lineOf(cart, variantId);
  if (!line) throw lineNotFound(variantId);
  checkQuantity(variantId, quantity, quantity > line.quantity ? available : undefined);
  return { ...cart, items: cart.items.map((l) => (l === line ? { ...l, quantity } : l)) };
}

export function removeLine(cart: Cart, variantId: string): Cart {
  if (!lineOf(cart, variantId)) throw lineNotFound(variantId);
  return { ...cart, items: cart.items.filter((l) => l.variantId !== variantId) };
}

export interface MergeResult {
  cart: Cart;
  /** Lines whose summed quantity went over the limit and were capped at MAX_LINE_QUANTITY. */
  capped: string[];
}

/**
 * At login: the guest cart's lines go into the customer's cart, quantities added (a line keeps the
 * catalog data of its most recent add); with no customer cart, the guest cart becomes theirs (its
 * token stops working). 409 cart_full when the lines together are more than a cart holds: nothing
 * is merged then.
 */
export function associate(guest: Cart, current: Cart | undefined, customerId: string): MergeResult {
  if (!current) return { cart: { ...guest, customerId, tokenHash: null }, capped: [] };
  const items = [...current.items];
  const capped: string[] = [];
  for (const line of guest.items) {
    const i = items.findIndex((l) => l.variantId === line.variantId);
    if (i === -1) {
      items.push(line);
      continue;
    }
    const mine = items[i]!;
    const sum = mine.quantity + line.quantity;
    if (sum > MAX_LINE_QUANTITY) capped.push(line.variantId);
    const newer = Date.parse(line.addedAt) > Date.parse(mine.addedAt) ? line : mine;
    items[i] = { ...newer, quantity: Math.min(sum, MAX_LINE_QUANTITY) };
  }
  if (items.length > MAX_LINES) throw cartFull();
  return { cart: { ...current, items }, capped };
}

/**
 * Takes an order's items out of the cart (the orders service, once the order is placed): each
 * line loses the ordered quantity (gone at 0); lines added since checkout began stay. The same
 * orderId again returns the cart itself, unchanged.
 */
export function takeOrdered(
  cart: Cart,
  orderId: string,
  items: readonly { variantId: string; quantity: number }[],
): Cart {
  if (cart.orderIds.includes(orderId)) return cart;
  const ordered = new Map<string, number>();
  for (const item of items) ordered.set(item.variantId, (ordered.get(item.variantId) ?? 0) + item.quantity);
  const lines = cart.items
    .map((l) => ({ ...l, quantity: l.quantity - (ordered.get(l.variantId) ?? 0) }))
    .filter((l) => l.quantity > 0);
  return { ...cart, items: lines, orderIds: [...cart.orderIds, orderId].slice(-MAX_ORDER_IDS) };
}
