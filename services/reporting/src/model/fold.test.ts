import type { EventData } from "@comptoir/contracts";
import { describe, expect, it } from "vitest";
import { storeReturn, storeSale, voidOf } from "./contribution";
import { foldContributions } from "./fold";

const STORE = { id: "0192f5a0-0000-7000-8000-000000000001", code: "S1", name: "Lyon", timezone: "Europe/Paris" };
const P1 = "0192f5a0-0000-7000-8000-0000000000a1";
const V1 = "0192f5a0-0000-7000-8000-0000000000b1";
const V2 = "0192f5a0-0000-7000-8000-0000000000b2";

const line = (variantId: string, quantity: number, vatRate: number, name = "Café") => ({
  variantId,
  productId: P1,
  sku: variantId.slice(-2),
  name,
  quantity,
  unitPrice: 1000,
  discount: 0,
  lineTotal: quantity * 1000,
  vatRate,
});

const sale = (saleId: string, occurredAt: string, lines: ReturnType<typeof line>[]) =>
  storeSale({
    saleId,
    store: STORE,
    occurredAt,
    lines,
    discountTotal: 0,
    total: lines.reduce((a, l) => a + l.lineTotal, 0),
    vat: [...new Set(lines.map((l) => l.vatRate))].map((rate) => {
      const total = lines.filter((l) => l.vatRate === rate).reduce((a, l) => a + l.lineTotal, 0);
      const base = Math.round((total * 10000) / (10000 + rate));
      return { rate, base, vat: total - base, total };
    }),
  } as unknown as EventData<"retail.sale.completed">);

describe("many contributions folded into the rows they add to", () => {
  const a = sale("0192f5a0-0000-7000-8000-0000000000d1", "2026-03-28T09:30:00.000Z", [
    line(V1, 2, 2000),
    line(V2, 1, 550),
  ]);
  const b = sale("0192f5a0-0000-7000-8000-0000000000d2", "2026-03-28T09:45:00.000Z", [line(V1, 3, 2000)]);
  const c = sale("0192f5a0-0000-7000-8000-0000000000d3", "2026-03-29T15:00:00.000Z", [line(V2, 1, 550, "Thé")]);

  it("sums every row of the same key, one row per key, sorted by key", () => {
    const rows = foldContributions([c, a, b]);
    expect(rows.days.map((d) => [d.day, d.figures.revenue, d.figures.transactions, d.figures.units])).toEqual([
      ["2026-03-28", 6000, 2, 6],
      ["2026-03-29", 1000, 1, 1],
    ]);
    expect(rows.vat.map((v) => [v.day, v.rate, v.total])).toEqual([
      ["2026-03-28", 550, 1000],
      ["2026-03-28", 2000, 5000],
      ["2026-03-29", 550, 1000],
    ]);
    expect(rows.hours.map((h) => [h.day, h.hour, h.revenue, h.transactions])).toEqual([
      ["2026-03-28", 10, 6000, 2],
      ["2026-03-29", 17, 1000, 1],
    ]);
    expect(rows.variants.map((v) => [v.day, v.variantId, v.unitsSold])).toEqual([
      ["2026-03-28", V1, 5],
      ["2026-03-28", V2, 1],
      ["2026-03-29", V2, 1],
    ]);
    expect(rows.productDays.map((p) => [p.period, p.vatRate, p.unitsSold, p.revenue])).toEqual([
      ["2026-03-28", 550, 1, 1000],
      ["2026-03-28", 2000, 5, 5000],
      ["2026-03-29", 550, 1, 1000],
    ]);
    expect(rows.productMonths.map((p) => [p.period, p.vatRate, p.unitsSold, p.revenue])).toEqual([
      ["2026-03-01", 550, 2, 2000],
      ["2026-03-01", 2000, 5, 5000],
    ]);
    // One name per product: the first seen.
    expect(rows.productNames).toEqual([{ productId: P1, name: "Thé" }]);
  });

  it("a sale and its void fold to zero; the order of the contributions changes no row", () => {
    const voided = foldContributions([a, voidOf(a)]);
    expect(voided.days[0]!.figures).toMatchObject({ revenue: 0, transactions: 0, units: 0, voidsCount: 1 });
    expect(voided.variants.every((v) => v.unitsSold === 0 && v.revenue === 0)).toBe(true);
    const r = storeReturn({
      returnId: "0192f5a0-0000-7000-8000-0000000000e1",
      store: STORE,
      occurredAt: "2026-03-28T11:00:00.000Z",
      lines: [line(V1, 1, 2000)],
      total: 1000,
      refundTotal: 1000,
    } as unknown as EventData<"retail.sale.returned">);
    const forwards = foldContributions([a, b, r, voidOf(b)]);
    const backwards = foldContributions([voidOf(b), r, b, a]);
    expect({ ...backwards, productNames: [] }).toEqual({ ...forwards, productNames: [] });
  });
});
