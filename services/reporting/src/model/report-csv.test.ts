import type { reportingHttp } from "@comptoir/contracts/http";
import { describe, expect, it } from "vitest";
import { indicatorsOf, storeFigures } from "./indicators";
import { indicatorsCsv, salesCsv } from "./report-csv";

const figures = {
  revenue: 12_000,
  revenueExclVat: 10_500,
  vat: [
    { rate: 2000, base: 5000, vat: 1000, total: 6000 },
    { rate: 550, base: 5500, vat: 500, total: 6000 },
  ],
  transactions: 3,
  units: 4,
  averageBasket: 4000,
  discounts: 150,
  returns: 1000,
  refunds: 0,
  netRevenue: 11_000,
};

const STORE = { id: "s", code: "S", name: "S", timezone: "UTC", openingHours: null, openingHoursAsOf: null };

describe("the reports as CSV", () => {
  it("sales: one VAT column per rate, a total record last", () => {
    const report: reportingHttp.SalesReport = {
      from: "2026-03-01",
      to: "2026-03-31",
      groupBy: "store",
      data: [{ key: "online", label: "Online", ...figures }],
      totals: figures,
    };
    expect(salesCsv(report, ";").slice(1).split("\r\n")).toEqual([
      "key;label;revenue;revenue excl. VAT;VAT;VAT 20%;VAT 5.5%;transactions;units;average basket;discounts;returns;refunds;net revenue",
      "online;Online;120,00;105,00;15,00;10,00;5,00;3;4;40,00;1,50;10,00;0,00;110,00",
      "total;Total;120,00;105,00;15,00;10,00;5,00;3;4;40,00;1,50;10,00;0,00;110,00",
      "",
    ]);
  });

  it("indicators: each figure in its own kind, the change in %", () => {
    const period = { from: "2026-03-02", to: "2026-03-02" };
    const sums = { revenue: 15_000, transactions: 2, units: 3, discounts: 0, returns: 0, cashVariance: -5 };
    const current = storeFigures(period, sums, [{ hour: 9, revenue: 15_000, transactions: 2 }], 10 * 3_600_000);
    const previous = storeFigures({ from: "2026-03-01", to: "2026-03-01" }, { ...sums, revenue: 10_000 }, []);
    const csv = indicatorsCsv(indicatorsOf(STORE, current, previous), ",");
    const lines = csv.slice(1).split("\r\n");
    expect(lines[0]).toBe("figure,2026-03-02 to 2026-03-02,2026-03-01 to 2026-03-01,change %");
    expect(lines).toContain("revenue,150.00,100.00,50");
    expect(lines).toContain("transactions,2,2,0");
    expect(lines).toContain("unitsPerTransaction,1.5,1.5,0");
    expect(lines).toContain("cashVariance,-0.05,-0.05,0");
    expect(lines).toContain("salesPerOpeningHour,15.00,,");
    expect(lines).toContain("revenue 09h,150.00,0.00,");
  });
});
