import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocateRefund, priceReturn, remainingOf } from "./return";
import type { SaleLine } from "./sale";

const line = (over: Partial<SaleLine> = {}): SaleLine => ({
  variantId: "v1",
  productId: "p1",
  sku: "SKU-1",
  name: "Pull",
  quantity: 3,
  unitPrice: 1000,
  vatRate: 2000,
  lineDiscount: 0,
  basketDiscount: 1,
  discount: 1,
  lineTotal: 2999,
  ...over,
});

describe("a return with receipt", () => {
  it("gives back a whole line exactly, whether returned at once or unit by unit", () => {
    const sold = [line()];
    expect(priceReturn(sold, [], [{ variantId: "v1", quantity: 3 }])[0]!.lineTotal).toBe(2999);
    const one = priceReturn(sold, [], [{ variantId: "v1", quantity: 1 }])[0]!.lineTotal;
    const two = priceReturn(sold, [{ variantId: "v1", quantity: 1 }], [{ variantId: "v1", quantity: 1 }])[0]!.lineTotal;
    const three = priceReturn(sold, [{ variantId: "v1", quantity: 2 }], [{ variantId: "v1", quantity: 1 }])[0]!
      .lineTotal;
    expect(one + two + three).toBe(2999);
  });

  it("refuses more than was sold and not yet returned, with the remaining quantities", () => {
    try {
      priceReturn(
        [line(), line({ variantId: "v2", quantity: 1 })],
        [{ variantId: "v1", quantity: 2 }],
        [{ variantId: "v1", quantity: 2 }],
      );
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({
        status: 409,
        code: "return_exceeds_sold",
        extensions: {
          remaining: [
            { variantId: "v1", quantity: 1 },
            { variantId: "v2", quantity: 1 },
          ],
        },
      });
    }
  });

  it("refuses a variant that was not sold", () => {
    expect(() => priceReturn([line()], [], [{ variantId: "other", quantity: 1 }])).toThrow(/more is being returned/i);
  });

  it("counts what is left per variant", () => {
    expect(remainingOf([line()], [{ variantId: "v1", quantity: 2 }])).toEqual([
      { variantId: "v1", sold: 3, returned: 2, remaining: 1 },
    ]);
  });

  it("never gives back more than the line, for any split into returns", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 50 }),
        (quantity, lineTotal, parts) => {
          const sold = [line({ quantity, lineTotal })];
          let returned = 0;
          let refunded = 0;
          for (const q of parts) {
            const take = Math.min(q, quantity - returned);
            if (take === 0) break;
            refunded += priceReturn(
              sold,
              [{ variantId: "v1", quantity: returned }],
              [{ variantId: "v1", quantity: take }],
            )[0]!.lineTotal;
            returned += take;
          }
          expect(refunded).toBeLessThanOrEqual(lineTotal);
          if (returned === quantity) expect(refunded).toBe(lineTotal);
        },
      ),
    );
  });
});

describe("refunding by the original tenders", () => {
  const kept = [
    { method: "cash" as const, amount: 1000 },
    { method: "card" as const, amount: 1500, paymentId: "pay-1" },
    { method: "store_credit" as const, amount: 500, code: "CREDIT" },
  ];

  it("refunds the card first, then store credit, then cash", () => {
    expect(allocateRefund(2200, kept, [])).toEqual([
      { method: "card", amount: 1500, paymentId: "pay-1" },
      { method: "store_credit", amount: 500, code: "CREDIT" },
      { method: "cash", amount: 200 },
    ]);
  });

  it("does not refund a card beyond what is left on it", () => {
    expect(allocateRefund(700, kept, [{ method: "card", amount: 1200, paymentId: "pay-1" }])).toEqual([
      { method: "card", amount: 300, paymentId: "pay-1" },
      { method: "store_credit", amount: 400, code: "CREDIT" },
    ]);
  });
});
