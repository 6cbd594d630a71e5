import type { cartHttp, catalogHttp, inventoryHttp, ResultOf } from "@comptoir/contracts/http";
import type { Cart } from "./cart";

/** The cart as callers see it: cart's HTTP contract (the token is added by the route that creates one). */
export type CartView = Omit<cartHttp.Cart, "token">;
export type LineView = CartView["items"][number];
export type CartWarning = CartView["warnings"][number];

/** What inventory can still sell of a variant. */
type Availability = Pick<ResultOf<typeof inventoryHttp.availability>["data"][number], "available">;

/** What catalog and inventory said when the cart was read: undefined for a service that did not answer. */
export interface Refresh {
  catalog: Map<string, catalogHttp.VariantSummary> | undefined;
  availability: Map<string, Availability> | undefined;
  /** Neither was asked (the caller prices the lines itself): the stored data, without warnings about it. */
  skipped?: boolean;
}

const money = (minor: number, currency: string) => `${(minor / 100).toFixed(2)} ${currency}`;

/**
 * The cart as a shopper sees it: each line re-priced from catalog and checked against inventory.
 * A changed price, a short line or a variant no longer sold is flagged (and listed in `warnings`),
 * never silently altered: the stored quantities and prices at add stay as they are. When catalog or
 * inventory did not answer, the stored data is shown with a cart-wide warning.
 */
export function renderCart(cart: Cart, refresh: Refresh, extraWarnings: CartWarning[] = []): CartView {
  const warnings: CartWarning[] = [];
  if (!refresh.catalog && !refresh.skipped && cart.items.length > 0) {
    warnings.push({
      variantId: null,
      code: "pricing_unavailable",
      detail: "Prices could not be refreshed from the catalog; the prices shown are those at the time of adding.",
    });
  }
  if (!refresh.availability && !refresh.skipped && cart.items.length > 0) {
    warnings.push({
      variantId: null,
      code: "availability_unavailable",
      detail: "Stock could not be checked; availability will be checked at checkout.",
    });
  }
  const items = cart.items.map((line): LineView => {
    const variant = refresh.catalog?.get(line.variantId);
    const unavailable = refresh.catalog !== undefined && (!variant || variant.productStatus !== "active");
    const unitPrice = variant?.price ?? line.priceAtAdd;
    const currency = variant?.currency ?? line.currency;
    const priceChanged =
      variant !== undefined && (variant.price !== line.priceAtAdd || variant.currency !== line.currency);
    const stock = refresh.availability?.get(line.variantId);
    const available = refresh.availability ? (stock?.available ?? 0) : null;
    const insufficientStock = available !== null && line.quantity > available;
    if (unavailable) {
      warnings.push({
        variantId: line.variantId,
        code: "variant_unavailable",
        detail: `${line.name} is no longer sold.`,
      });
    }
    if (priceChanged) {
      warnings.push({
        variantId: line.variantId,
        code: "price_changed",
        detail: `The price of ${line.name} changed from ${money(line.priceAtAdd, line.currency)} to ${money(unitPrice, currency)}.`,
      });
    }
    if (insufficientStock) {
      warnings.push({
        variantId: line.variantId,
        code: "insufficient_stock",
        detail: `Only ${available} of ${line.name} available; the cart has ${line.quantity}.`,
      });
    }
    return {
      variantId: line.variantId,
      productId: variant?.productId ?? line.productId,
      sku: variant?.sku ?? line.sku,
      name: variant?.productName ?? line.name,
      thumbnailUrl: variant ? variant.thumbnailUrl : line.thumbnailUrl,
      quantity: line.quantity,
      unitPrice,
      currency,
      lineTotal: unitPrice * line.quantity,
      priceAtAdd: line.priceAtAdd,
      priceChanged,
      available,
      insufficientStock,
      unavailable,
    };
  });
  const currency = items[0]?.currency ?? null;
  let subtotal = 0;
  for (const line of items) {
    if (line.unavailable) continue;
    if (line.currency !== currency) {
      warnings.push({
        variantId: line.variantId,
        code: "currency_mismatch",
        detail: `${line.name} is priced in ${line.currency}, not ${currency}; it is left out of the subtotal.`,
      });
      continue;
    }
    subtotal += line.lineTotal;
  }
  return {
    id: cart.id,
    customerId: cart.customerId,
    items,
    itemCount: items.reduce((n, l) => n + l.quantity, 0),
    subtotal,
    currency,
    warnings: [...warnings, ...extraWarnings],
    expiresAt: cart.expiresAt,
    createdAt: cart.createdAt,
    updatedAt: cart.updatedAt,
  };
}
