import type { EventData } from "@comptoir/contracts";
import { describe, expect, it } from "vitest";
import { onlineRefund, onlineSale, registerClosing, storeReturn, storeSale, voidOf, voidsOnly } from "./contribution";

const STORE = { id: "0192f5a0-0000-7000-8000-000000000001", code: "S1", name: "Lyon", timezone: "Europe/Paris" };
const P1 = "0192f5a0-0000-7000-8000-0000000000p1".replace("p1", "a1");
const V1 = "0192f5a0-0000-7000-8000-0000000000b1";
const V2 = "0192f5a0-0000-7000-8000-0000000000b2";

const paid = (over: Partial<EventData<"orders.order.paid">> = {}) =>
  ({
    orderId: "0192f5a0-0000-7000-8000-0000000000c1",
    lines: [
      { variantId: V1, productId: P1, sku: "A", name: "Café", quantity: 2, unitPrice: 1000, vatRate: 550 },
      { variantId: V2, productId: P1, sku: "B", name: "Café", quantity: 1, unitPrice: 2000 },
    ],
    totals: { subtotal: 4000, shipping: 500, total: 4500, currency: "EUR" },
    ...over,
  }) as unknown as EventData<"orders.order.paid">;

const sale = {
  saleId: "0192f5a0-0000-7000-8000-0000000000d1",
  store: STORE,
  occurredAt: "2026-03-28T23:30:00.000Z",
  lines: [
    {
      variantId: V2,
      productId: P1,
      sku: "B",
      name: "Café",
      quantity: 1,
      unitPrice: 2000,
      discount: 200,
      lineTotal: 1800,
      vatRate: 2000,
    },
    {
      variantId: V1,
      productId: P1,
      sku: "A",
      name: "Café",
      quantity: 3,
      unitPrice: 1000,
      discount: 0,
      lineTotal: 3000,
      vatRate: 550,
    },
  ],
  discountTotal: 200,
  total: 4800,
  vat: [
    { rate: 2000, base: 1500, vat: 300, total: 1800 },
    { rate: 550, base: 2844, vat: 156, total: 3000 },
  ],
} as unknown as EventData<"retail.sale.completed">;

describe("what an event adds to the rollups", () => {
  it("a paid order: its total (shipping in), VAT from its breakdown, units and lines, on the Paris day", () => {
    const c = onlineSale(
      paid({
        vat: [
          { rate: 2000, base: 2083, vat: 417, total: 2500 },
          { rate: 550, base: 1896, vat: 104, total: 2000 },
        ],
      }),
      "2026-10-24T22:30:00.000Z",
      "Europe/Paris",
    );
    expect(c).toMatchObject({ channel: "online", day: "2026-10-25", hour: 0 });
    expect(c.daily).toMatchObject({
      revenue: 4500,
      vat: 521,
      revenueExclVat: 3979,
      transactions: 1,
      units: 3,
      discounts: 0,
    });
    expect(c.hourly).toEqual({ revenue: 4500, transactions: 1 });
    expect(c.variants.map((v) => [v.variantId, v.unitsSold, v.revenue])).toEqual([
      [V1, 2, 2000],
      [V2, 1, 2000],
    ]);
    // A line without a rate is read as 20 %.
    expect(c.products.map((p) => [p.vatRate, p.unitsSold, p.revenue])).toEqual([
      [550, 2, 2000],
      [2000, 1, 2000],
    ]);
  });

  it("a paid order without a VAT breakdown: one 20 % line computed from the total", () => {
    const c = onlineSale(paid(), "2026-06-01T10:00:00.000Z", "Europe/Paris");
    expect(c.vat).toEqual([{ rate: 2000, base: 3750, vat: 750, total: 4500 }]);
    expect(c.daily.revenueExclVat).toBe(3750);
  });

  it("a refund: what was given back, on the refund's day", () => {
    const c = onlineRefund(
      { refundedAmount: 1200 } as EventData<"orders.order.refunded">,
      "2026-03-28T23:30:00.000Z",
      "Europe/Paris",
    );
    expect(c).toMatchObject({ day: "2026-03-29", hourly: null, variants: [] });
    expect(c.daily).toMatchObject({ refunds: 1200, refundsCount: 1, revenue: 0 });
  });

  it("a till sale: total, VAT, discounts, on the store's local day and hour", () => {
    const c = storeSale(sale);
    expect(c).toMatchObject({ channel: STORE.id, day: "2026-03-29", hour: 0 });
    expect(c.daily).toMatchObject({
      revenue: 4800,
      vat: 456,
      revenueExclVat: 4344,
      discounts: 200,
      units: 4,
      transactions: 1,
    });
    expect(c.products.find((p) => p.vatRate === 2000)).toMatchObject({ discounts: 200, revenue: 1800 });
  });

  it("a void takes exactly the sale back out and counts its total among the voids", () => {
    const s = storeSale(sale);
    const v = voidOf(s);
    expect(v.day).toBe(s.day);
    expect(v.daily).toMatchObject({
      revenue: -4800,
      vat: -456,
      units: -4,
      transactions: -1,
      voids: 4800,
      voidsCount: 1,
    });
    expect(v.vat.map((l) => [l.rate, l.total])).toEqual([
      [2000, -1800],
      [550, -3000],
    ]);
    expect(v.hourly).toEqual({ revenue: -4800, transactions: -1 });
    expect(v.variants.every((l, i) => l.unitsSold === -s.variants[i]!.unitsSold)).toBe(true);
    expect(voidsOnly(s).daily).toMatchObject({ revenue: 0, voids: 4800, voidsCount: 1 });
  });

  it("a return and a closing are booked on their own day", () => {
    const r = storeReturn({
      store: STORE,
      occurredAt: "2026-04-02T08:00:00.000Z",
      total: 1000,
      lines: [
        {
          variantId: V1,
          productId: P1,
          sku: "A",
          name: "Café",
          quantity: 1,
          unitPrice: 1000,
          lineTotal: 1000,
          vatRate: 550,
        },
      ],
    } as unknown as EventData<"retail.sale.returned">);
    expect(r).toMatchObject({ day: "2026-04-02", hour: 10 });
    expect(r.daily).toMatchObject({ returns: 1000, returnsCount: 1, unitsReturned: 1, revenue: 0 });
    expect(r.variants).toEqual([{ variantId: V1, productId: P1, unitsSold: 0, unitsReturned: 1, revenue: 0 }]);
    const z = registerClosing({
      store: STORE,
      closedAt: "2026-04-02T17:00:00.000Z",
      variance: -150,
    } as unknown as EventData<"retail.register.closed">);
    expect(z.daily).toMatchObject({ cashVariance: -150, closings: 1 });
  });
});
