import { Type } from "typebox";

/**
 * Money, one definition for every service (SPEC §2; security finding 8). An amount is an integer
 * number of minor units (cents) of its currency: 1999 is 19.99 EUR. Every service stores it as a
 * PostgreSQL `bigint` (node-postgres hands a bigint back as a string: `Number()` it, exact since
 * every amount stays below MAX_AMOUNT) and bounds it with the same caps, derived here from what a
 * cart may hold, so that an order the cart accepts is never refused later by orders or payments:
 *
 *   unit price   ≤ MAX_UNIT_PRICE                          =           100,000,000 (1,000,000.00)
 *   line total   ≤ MAX_UNIT_PRICE × MAX_LINE_QUANTITY (999) =       99,900,000,000
 *   subtotal     ≤ MAX_LINE_TOTAL × MAX_CART_LINES (100)    =    9,990,000,000,000
 *   shipping fee ≤ MAX_SHIPPING_FEE                         =           100,000,000
 *   any amount   ≤ MAX_AMOUNT = subtotal + shipping        =    9,990,100,000,000 (99,901,000,000.00)
 *
 * MAX_AMOUNT is about 1/900 of Number.MAX_SAFE_INTEGER (2^53 − 1 ≈ 9.007 × 10^15) and far below
 * bigint's 2^63 − 1, so a total, a capture or a sum of refunds computed in JavaScript is exact.
 */

/** At most this many units on one cart (and order) line. */
export const MAX_LINE_QUANTITY = 999;
/** At most this many lines in one cart, hence in one order. */
export const MAX_CART_LINES = 100;
/** The highest unit price catalog accepts (a variant's price or compare-at price): 1,000,000.00. */
export const MAX_UNIT_PRICE = 100_000_000;
/** The highest flat shipping fee orders may be configured with (ORDERS_SHIPPING_FEE). */
export const MAX_SHIPPING_FEE = MAX_UNIT_PRICE;
/** The largest line: the highest price × the most units. */
export const MAX_LINE_TOTAL = MAX_UNIT_PRICE * MAX_LINE_QUANTITY;
/** The largest subtotal: a full cart of the largest lines. */
export const MAX_SUBTOTAL = MAX_LINE_TOTAL * MAX_CART_LINES;
/** The largest amount anything holds: an order's total, a payment, a capture, a refund. */
export const MAX_AMOUNT = MAX_SUBTOTAL + MAX_SHIPPING_FEE;

/**
 * A money field of a route or an event: integer minor units from `minimum` (0) to `maximum`
 * (MAX_AMOUNT unless a tighter cap applies, such as MAX_UNIT_PRICE for a price).
 */
export function Money(description: string, bounds: { minimum?: number; maximum?: number } = {}) {
  const { minimum = 0, maximum = MAX_AMOUNT } = bounds;
  return Type.Integer({ minimum, maximum, description: `${description}, in minor units (1999 = 19.99)` });
}

/** A unit price: 0 to MAX_UNIT_PRICE. */
export const UnitPrice = (description = "a unit price") => Money(description, { maximum: MAX_UNIT_PRICE });

/** An amount of money in integer minor units (cents): 1999 is 19.99 EUR. Never negative, at most MAX_AMOUNT. */
export const Amount = Type.Integer({ minimum: 0, maximum: MAX_AMOUNT });
