import {
  MAX_AMOUNT,
  MAX_CART_LINES,
  MAX_LINE_QUANTITY,
  MAX_SHIPPING_FEE,
  MAX_SUBTOTAL,
  MAX_UNIT_PRICE,
  VAT_RATES,
  type VatRateValue,
} from "@comptoir/contracts";
import fc from "fast-check";
import { AppError } from "@comptoir/platform";
import { describe, expect, it } from "vitest";
import {
  assertCancellable,
  assertTransition,
  canMove,
  isForSale,
  type Order,
  type OrderLine,
  type OrderStatus,
  orderLineOf,
  type PricedVariant,
  snapshotOf,
  totalsOf,
  vatOf,
} from "./order";

const line = (unitPrice: number, quantity: number, vatRate: VatRateValue = 2000): OrderLine => ({
  variantId: "v",
  productId: "p",
  sku: "SKU",
  name: "Pull",
  quantity,
  unitPrice,
  vatRate,
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

const STATUSES: OrderStatus[] = ["pending", "paid", "shipped", "delivered", "cancelled", "refunded"];
const order = (status: OrderStatus) => ({ id: "o1", status });

const refusalOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? [error.status, error.code] : error;
  }
  return undefined;
};

describe("an order's life", () => {
  it("goes pending → paid → shipped → delivered, and a cancelled one is refunded", () => {
    const allowed = STATUSES.flatMap((from) => STATUSES.filter((to) => canMove(from, to)).map((to) => `${from}→${to}`));
    expect(allowed).toEqual([
      "pending→paid",
      "pending→cancelled",
      "paid→shipped",
      "paid→cancelled",
      "shipped→delivered",
      "cancelled→refunded",
    ]);
  });

  it("every other move is a 409 invalid_order_transition that names the current status", () => {
    for (const from of STATUSES) {
      for (const to of STATUSES.filter((t) => !canMove(from, t))) {
        expect(refusalOf(() => assertTransition(order(from), to))).toEqual([409, "invalid_order_transition"]);
      }
    }
    const refusal = (() => {
      try {
        assertTransition(order("delivered"), "shipped");
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(AppError);
    expect((refusal as AppError).extensions).toEqual({ currentStatus: "delivered" });
  });

  it("a pending or paid order may be cancelled, and says what it was", () => {
    expect(assertCancellable(order("pending"))).toBe("pending");
    expect(assertCancellable(order("paid"))).toBe("paid");
  });

  it("once shipped, cancelled or refunded, cancelling is a 409 order_not_cancellable", () => {
    for (const status of ["shipped", "delivered", "cancelled", "refunded"] as const) {
      expect(refusalOf(() => assertCancellable(order(status)))).toEqual([409, "order_not_cancellable"]);
    }
  });
});

describe("pricing a checkout's lines", () => {
  const variant = (over: Partial<PricedVariant> = {}): PricedVariant => ({
    id: "v1",
    productId: "p1",
    sku: "PULL-M",
    options: { size: "M", colour: "navy" },
    price: 4990,
    currency: "EUR",
    productName: "Pull",
    productStatus: "active",
    vatRate: 550,
    ...over,
  });

  it("a line is named after its product and options, at the variant's price", () => {
    expect(orderLineOf(variant(), 2)).toEqual({
      variantId: "v1",
      productId: "p1",
      sku: "PULL-M",
      name: "Pull (M, navy)",
      quantity: 2,
      unitPrice: 4990,
      vatRate: 550,
    });
    expect(orderLineOf(variant({ options: {} }), 1).name).toBe("Pull");
  });

  it("only an active variant in the shop's currency, priced within MAX_UNIT_PRICE, is for sale", () => {
    expect(isForSale(variant(), "EUR")).toBe(true);
    expect(isForSale(variant({ price: MAX_UNIT_PRICE }), "EUR")).toBe(true);
    expect(isForSale(variant({ price: MAX_UNIT_PRICE + 1 }), "EUR")).toBe(false);
    expect(isForSale(variant({ productStatus: "archived" }), "EUR")).toBe(false);
    expect(isForSale(variant({ productStatus: "draft" }), "EUR")).toBe(false);
    expect(isForSale(variant(), "USD")).toBe(false);
  });

  it("delivery costs the fee below the threshold; click-and-collect and large orders ship free", () => {
    const rules = { fee: 490, freeFrom: 5000 };
    expect(totalsOf([line(1000, 2)], "EUR", rules, false)).toEqual({
      subtotal: 2000,
      shipping: 490,
      total: 2490,
      currency: "EUR",
    });
    expect(totalsOf([line(1000, 2)], "EUR", rules, true).shipping).toBe(0);
    expect(totalsOf([line(2500, 2)], "EUR", rules, false).shipping).toBe(0);
  });
});

describe("an order's event snapshot", () => {
  it("carries the order's customer, lines, totals and address, and nothing only orders keeps", () => {
    const o: Order = {
      id: "o1",
      status: "paid",
      customerId: null,
      email: "guest@example.com",
      language: "en",
      channel: "online",
      storeId: null,
      pickupLocationId: null,
      lines: [line(1000, 2)],
      subtotal: 2000,
      shipping: 490,
      total: 2490,
      vat: vatOf([line(1000, 2)], 490),
      currency: "EUR",
      shippingAddress: { name: "A", line1: "1 rue", line2: null, city: "Lyon", postalCode: "69001", country: "FR" },
      paymentId: "pay1",
      refundedAmount: 0,
      carrier: null,
      trackingNumber: null,
      cancelReason: null,
      placedAt: "2026-01-01T00:00:00.000Z",
      paidAt: "2026-01-01T00:00:01.000Z",
      shippedAt: null,
      deliveredAt: null,
      cancelledAt: null,
      refundedAt: null,
      updatedAt: "2026-01-01T00:00:01.000Z",
      checkoutId: "c1",
      reservationId: "r1",
      allocation: [{ variantId: "v", locationId: "l1", quantity: 2 }],
      cancelledBy: null,
    };
    expect(snapshotOf(o)).toEqual({
      orderId: "o1",
      customerId: null,
      email: "guest@example.com",
      language: "en",
      channel: "online",
      storeId: null,
      lines: o.lines,
      totals: { subtotal: 2000, shipping: 490, total: 2490, currency: "EUR" },
      vat: [{ rate: 2000, base: 2075, vat: 415, total: 2490 }],
      shippingAddress: o.shippingAddress,
      placedAt: "2026-01-01T00:00:00.000Z",
    });
  });
});

describe("an order's VAT", () => {
  it("splits the lines per rate, and taxes the shipping fee at the highest rate among the lines", () => {
    // 2 × 10.00 at 5.5 %, 1 × 30.00 at 10 %, shipping 4.90 → at 10 %.
    expect(vatOf([line(1000, 2, 550), line(3000, 1, 1000)], 490)).toEqual([
      { rate: 1000, base: 3173, vat: 317, total: 3490 },
      { rate: 550, base: 1896, vat: 104, total: 2000 },
    ]);
    // Free shipping adds nothing; one rate only is one row.
    expect(vatOf([line(1200, 1, 2000)], 0)).toEqual([{ rate: 2000, base: 1000, vat: 200, total: 1200 }]);
    // A line from before lines kept a rate counts at 20 %.
    expect(vatOf([{ unitPrice: 1200, quantity: 1 } as OrderLine], 0)).toEqual([
      { rate: 2000, base: 1000, vat: 200, total: 1200 },
    ]);
  });

  it("for any order within the caps, the VAT table adds up to the order's total, base + VAT = total per rate", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            unitPrice: fc.integer({ min: 0, max: MAX_UNIT_PRICE }),
            quantity: fc.integer({ min: 1, max: MAX_LINE_QUANTITY }),
            vatRate: fc.constantFrom(...VAT_RATES),
          }),
          { minLength: 1, maxLength: MAX_CART_LINES },
        ),
        fc.integer({ min: 0, max: MAX_SHIPPING_FEE }),
        (items, fee) => {
          const lines = items.map((i) => line(i.unitPrice, i.quantity, i.vatRate));
          const totals = totalsOf(lines, "EUR", { fee, freeFrom: MAX_AMOUNT }, false);
          const vat = vatOf(lines, totals.shipping);
          expect(vat.reduce((sum, r) => sum + r.total, 0)).toBe(totals.total);
          expect(vat.map((r) => r.rate)).toEqual([...new Set(items.map((i) => i.vatRate))].sort((a, b) => b - a));
          for (const r of vat) {
            expect(r.base + r.vat).toBe(r.total);
            expect(r.vat).toBeGreaterThanOrEqual(0);
          }
          // The fee sits with the highest rate.
          const top = Math.max(...items.map((i) => i.vatRate));
          const linesAtTop = lines.filter((l) => l.vatRate === top).reduce((s, l) => s + l.unitPrice * l.quantity, 0);
          expect(vat[0]).toMatchObject({ rate: top, total: linesAtTop + totals.shipping });
        },
      ),
    );
  });
});
