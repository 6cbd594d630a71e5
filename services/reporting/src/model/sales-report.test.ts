import { describe, expect, it } from "vitest";
import { type DailyRow, salesByCategory, salesByGroup } from "./sales-report";

const S1 = "0192f5a0-0000-7000-8000-000000000001";
const day = (
  d: string,
  channel: string,
  revenue: number,
  transactions: number,
  more: Partial<DailyRow> = {},
): DailyRow => ({
  day: d,
  channel,
  revenue,
  revenueExclVat: Math.round(revenue / 1.2),
  discounts: 0,
  transactions,
  units: transactions,
  returns: 0,
  refunds: 0,
  ...more,
});

describe("the sales report", () => {
  const rows = [
    day("2026-03-29", "online", 1200, 1, { refunds: 200 }),
    day("2026-03-30", "online", 2400, 2),
    day("2026-03-29", S1, 600, 1, { returns: 100 }),
  ];
  const vat = [
    { day: "2026-03-29", channel: "online", rate: 2000, base: 1000, vat: 200, total: 1200 },
    { day: "2026-03-30", channel: "online", rate: 2000, base: 2000, vat: 400, total: 2400 },
    { day: "2026-03-29", channel: S1, rate: 2000, base: 500, vat: 100, total: 600 },
  ];

  it("by store: online first, then stores by name, with totals, basket and net revenue", () => {
    const report = salesByGroup("store", rows, vat, new Map([[S1, "Lyon"]]));
    expect(report.data.map((r) => [r.key, r.label, r.revenue, r.transactions, r.averageBasket, r.netRevenue])).toEqual([
      ["online", "Online", 3600, 3, 1200, 3400],
      [S1, "Lyon", 600, 1, 600, 500],
    ]);
    expect(report.totals).toMatchObject({
      revenue: 4200,
      transactions: 4,
      refunds: 200,
      returns: 100,
      netRevenue: 3900,
    });
    expect(report.totals.vat).toEqual([{ rate: 2000, base: 3500, vat: 700, total: 4200 }]);
  });

  it("by week and by month", () => {
    expect(salesByGroup("week", rows, vat, new Map()).data.map((r) => [r.key, r.revenue])).toEqual([
      ["2026-W13", 1800],
      ["2026-W14", 2400],
    ]);
    expect(salesByGroup("month", rows, vat, new Map()).data.map((r) => [r.key, r.revenue])).toEqual([
      ["2026-03", 4200],
    ]);
    expect(salesByGroup("channel", rows, vat, new Map()).data.map((r) => r.key)).toEqual(["online", "stores"]);
  });

  it("by category: VAT per rate from the lines, no transactions, unknown products together", () => {
    const report = salesByCategory([
      { categoryId: "c1", categoryName: "Café", vatRate: 550, unitsSold: 2, revenue: 1055, discounts: 0, returns: 0 },
      { categoryId: "c1", categoryName: "Café", vatRate: 550, unitsSold: 1, revenue: 1055, discounts: 10, returns: 0 },
      { categoryId: null, categoryName: null, vatRate: 2000, unitsSold: 1, revenue: 1200, discounts: 0, returns: 300 },
    ]);
    expect(report.data).toEqual([
      expect.objectContaining({
        key: "c1",
        label: "Café",
        revenue: 2110,
        revenueExclVat: 2000,
        units: 3,
        transactions: null,
        averageBasket: null,
      }),
      expect.objectContaining({
        key: "uncategorized",
        revenue: 1200,
        revenueExclVat: 1000,
        returns: 300,
        netRevenue: 900,
      }),
    ]);
    expect(report.totals).toMatchObject({ revenue: 3310, transactions: null, discounts: 10 });
  });
});
