import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assertDiscountsAllowed,
  discountsAboveLimit,
  keptByTender,
  type PricedItem,
  priceSale,
  receiptNumberOf,
  settle,
  spread,
} from "./sale";

const item = (over: Partial<PricedItem> = {}): PricedItem => ({
  variantId: "v1",
  productId: "p1",
  sku: "SKU-1",
  name: "Pull",
  unitPrice: 2990,
  vatRate: 2000,
  quantity: 1,
  ...over,
});

const thrown = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as { code: string; status: number; extensions?: Record<string, unknown> };
  }
  throw new Error("expected an error");
};

describe("pricing a sale", () => {
  it("totals the lines at catalog's prices, with the VAT per rate", () => {
    const p = priceSale([item({ quantity: 2 }), item({ variantId: "v2", unitPrice: 550, vatRate: 550 })]);
    expect(p).toMatchObject({ subtotal: 6530, discountTotal: 0, total: 6530 });
    expect(p.vat).toEqual([
      { rate: 2000, base: 4983, vat: 997, total: 5980 },
      { rate: 550, base: 521, vat: 29, total: 550 },
    ]);
  });

  it("takes a line's percent discount rounded half up to the cent", () => {
    // 3 × 333 = 999; 12.5 % = 124.875 → 125
    const p = priceSale([item({ unitPrice: 333, quantity: 3, discount: { percent: 12.5 } })]);
    expect(p.lines[0]).toMatchObject({ lineDiscount: 125, basketDiscount: 0, discount: 125, lineTotal: 874 });
    expect(p.total).toBe(874);
  });

  it("spreads a basket discount over the lines pro rata, summing exactly to it", () => {
    const p = priceSale(
      [
        item({ unitPrice: 1000 }),
        item({ variantId: "v2", unitPrice: 1000 }),
        item({ variantId: "v3", unitPrice: 1000 }),
      ],
      { amount: 100 },
    );
    expect(p.lines.map((l) => l.basketDiscount)).toEqual([34, 33, 33]);
    expect(p.total).toBe(2900);
  });

  it("applies the basket discount after the lines' own discounts", () => {
    const p = priceSale(
      [item({ unitPrice: 10_000, discount: { amount: 2000 } }), item({ variantId: "v2", unitPrice: 2000 })],
      {
        percent: 10,
      },
    );
    expect(p.basketDiscountTotal).toBe(1000);
    expect(p.lines.map((l) => l.basketDiscount)).toEqual([800, 200]);
    expect(p).toMatchObject({ subtotal: 12_000, discountTotal: 3000, total: 9000 });
  });

  it("refuses a discount larger than what it applies to", () => {
    expect(thrown(() => priceSale([item({ discount: { amount: 3000 } })]))).toMatchObject({
      status: 400,
      code: "discount_exceeds_amount",
    });
  });

  it("keeps every sum exact for any lines and discounts", () => {
    const arbItem = fc.record({
      unitPrice: fc.integer({ min: 0, max: 100_000 }),
      quantity: fc.integer({ min: 1, max: 999 }),
      vatRate: fc.constantFrom(2000, 1000, 550, 210),
      percent: fc.option(fc.integer({ min: 0, max: 10_000 }).map((bp) => bp / 100)),
    });
    fc.assert(
      fc.property(
        fc.array(arbItem, { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 0, max: 10_000 }),
        (items, bp) => {
          const p = priceSale(
            items.map((i, n) =>
              item({ variantId: `v${n}`, ...i, ...(i.percent === null ? {} : { discount: { percent: i.percent } }) }),
            ),
            { percent: bp / 100 },
          );
          const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
          expect(sum(p.lines.map((l) => l.lineTotal))).toBe(p.total);
          expect(sum(p.lines.map((l) => l.basketDiscount))).toBe(p.basketDiscountTotal);
          expect(p.total).toBe(p.subtotal - p.discountTotal);
          expect(sum(p.vat.map((v) => v.total))).toBe(p.total);
          for (const v of p.vat) expect(v.base + v.vat).toBe(v.total);
          for (const l of p.lines) expect(l.lineTotal).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});

describe("spreading an amount", () => {
  it("gives the leftover cents to the largest remainders", () => {
    expect(spread(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(spread(5, [0, 0])).toEqual([0, 0]);
    expect(spread(7, [2, 5, 0])).toEqual([2, 5, 0]);
  });
});

describe("the cashier's discount limit", () => {
  it("names each discount above the limit, of a line or of the basket", () => {
    const p = priceSale(
      [item({ unitPrice: 1000, discount: { percent: 15 } }), item({ variantId: "v2", unitPrice: 1000 })],
      {
        amount: 200,
      },
    );
    expect(discountsAboveLimit(p, 10)).toEqual(["lines.0.discount", "discount"]);
    expect(discountsAboveLimit(p, 15)).toEqual([]);
  });

  it("allows exactly the limit, and anything to whoever holds sales:discount", () => {
    const p = priceSale([item({ unitPrice: 1000, discount: { percent: 10 } })]);
    expect(() => assertDiscountsAllowed(p, 10, false)).not.toThrow();
    const big = priceSale([item({ unitPrice: 1000, discount: { amount: 101 } })]);
    expect(thrown(() => assertDiscountsAllowed(big, 10, false))).toMatchObject({
      status: 403,
      code: "discount_not_allowed",
    });
    expect(() => assertDiscountsAllowed(big, 10, true)).not.toThrow();
  });
});

describe("settling the tenders", () => {
  it("gives change from cash", () => {
    expect(settle(1234, [{ method: "cash", amount: 2000 }])).toEqual({ cashTendered: 2000, change: 766, nonCash: 0 });
  });

  it("splits between card and cash", () => {
    expect(
      settle(5000, [
        { method: "card", amount: 3000 },
        { method: "cash", amount: 2500 },
      ]),
    ).toEqual({ cashTendered: 2500, change: 500, nonCash: 3000 });
  });

  it("answers what is missing when the tenders do not cover the total", () => {
    expect(thrown(() => settle(5000, [{ method: "cash", amount: 4000 }]))).toMatchObject({
      status: 400,
      code: "tender_insufficient",
      extensions: { missing: 1000 },
    });
  });

  it("refuses a card or store credit above the total (no change from a card)", () => {
    expect(thrown(() => settle(5000, [{ method: "card", amount: 6000 }]))).toMatchObject({
      code: "tender_exceeds_total",
    });
    expect(
      thrown(() =>
        settle(5000, [
          { method: "store_credit", amount: 3000, code: "C" },
          { method: "card", amount: 2500 },
        ]),
      ),
    ).toMatchObject({ code: "tender_exceeds_total" });
  });

  it("keeps each cash tender net of the change", () => {
    expect(
      keptByTender(
        [
          { method: "card", amount: 1000 },
          { method: "cash", amount: 500 },
        ],
        120,
      ),
    ).toEqual([
      { method: "card", amount: 1000 },
      { method: "cash", amount: 380 },
    ]);
  });
});

describe("receipt numbers", () => {
  it("carry the store's code and a zero-padded sequence", () => {
    expect(receiptNumberOf("STORE-1", "sale", 42)).toBe("STORE-1-000042");
    expect(receiptNumberOf("STORE-1", "return", 7)).toBe("STORE-1-R000007");
  });
});
