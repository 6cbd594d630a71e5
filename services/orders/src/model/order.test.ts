import {
  MAX_AMOUNT,
  MAX_CART_LINES,
  MAX_LINE_QUANTITY,
  MAX_SHIPPING_FEE,
  MAX_SUBTOTAL,
  MAX_UNIT_PRICE,
} from "@comptoir/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type OrderLine, totalsOf } from "./order";

const line = (unitPrice: number, quantity: number): OrderLine => ({
  variantId: "v",
  productId: "p",
  sku: "SKU",
  name: "Pull",
  quantity,
  unitPrice,
});

describe("an order's totals within the money caps", () => {
  it("a full cart at the top price with the top shipping fee comes to MAX_AMOUNT exactly", () => {
    const lines = Array.from({ length: MAX_CART_LINES }, () => line(MAX_UNIT_PRICE, MAX_LINE_QUANTITY));
    const totals = totalsOf(lines, "EUR", { fee: MAX_SHIPPING_FEE, freeFrom: MAX_AMOUNT }, false);
    expect(totals).toEqual({ subtotal: MAX_SUBTOTAL, shipping: MAX_SHIPPING_FEE, total: MAX_AMOUNT, currency: "EUR" });
  });

  it("whatever a cart holds within the caps, the total is exact (as in bigint) and at most MAX_AMOUNT", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            unitPrice: fc.integer({ min: 0, max: MAX_UNIT_PRICE }),
            quantity: fc.integer({ min: 1, max: MAX_LINE_QUANTITY }),
          }),
          { minLength: 1, maxLength: MAX_CART_LINES },
        ),
        fc.integer({ min: 0, max: MAX_SHIPPING_FEE }),
        (items, fee) => {
          const totals = totalsOf(
            items.map((i) => line(i.unitPrice, i.quantity)),
            "EUR",
            { fee, freeFrom: MAX_AMOUNT },
            false,
          );
          const exact = items.reduce((sum, i) => sum + BigInt(i.unitPrice) * BigInt(i.quantity), 0n) + BigInt(fee);
          expect(BigInt(totals.total)).toBe(exact);
          expect(totals.total).toBeLessThanOrEqual(MAX_AMOUNT);
          expect(Number.isSafeInteger(totals.total)).toBe(true);
        },
      ),
    );
  });
});
