import { describe, expect, it } from "vitest";
import { conversionReport, funnelFigures, rate } from "./conversion";
import { conversionCsv } from "./conversion-csv";

const counts = (cartsCreated: number, cartsFilled: number, checkoutsStarted: number, ordersPaid: number) => ({
  cartsCreated,
  cartsFilled,
  checkoutsStarted,
  ordersPaid,
});

describe("the conversion funnel's rates", () => {
  it("divide each step by the one before, with 4 decimals", () => {
    expect(funnelFigures(counts(12, 8, 3, 2))).toEqual({
      ...counts(12, 8, 3, 2),
      fillRate: 0.6667,
      checkoutRate: 0.375,
      paymentRate: 0.6667,
      conversionRate: 0.1667,
      abandonmentRate: 0.75,
    });
  });

  it("are null when there is nothing to divide by, 0 when nothing followed", () => {
    expect(funnelFigures(counts(0, 0, 0, 0))).toMatchObject({
      fillRate: null,
      checkoutRate: null,
      paymentRate: null,
      conversionRate: null,
      abandonmentRate: null,
    });
    expect(funnelFigures(counts(5, 0, 0, 0))).toMatchObject({ fillRate: 0, conversionRate: 0, checkoutRate: null });
    expect(funnelFigures(counts(5, 4, 0, 0))).toMatchObject({ checkoutRate: 0, abandonmentRate: 1, paymentRate: null });
  });

  it("compare counts of the same day: above 1 (or abandonment below 0) when yesterday's carts are paid today", () => {
    expect(funnelFigures(counts(1, 1, 3, 3))).toMatchObject({
      checkoutRate: 3,
      paymentRate: 1,
      conversionRate: 3,
      abandonmentRate: -2,
    });
  });

  it("rounds without a negative zero", () => {
    expect(rate(1, 3)).toBe(0.3333);
    expect(rate(2, 3)).toBe(0.6667);
    expect(Object.is(funnelFigures(counts(3, 3, 3, 3)).abandonmentRate, 0)).toBe(true);
  });
});

describe("the conversion report", () => {
  it("lists every day of the period, at 0 without events, and computes the totals' rates from summed counts", () => {
    const report = conversionReport({ from: "2026-03-28", to: "2026-03-31" }, "Europe/Paris", [
      { day: "2026-03-28", ...counts(4, 2, 1, 1) },
      { day: "2026-03-30", ...counts(6, 6, 3, 0) },
      { day: "2026-04-02", ...counts(100, 100, 100, 100) },
    ]);
    expect(report.data.map((d) => d.day)).toEqual(["2026-03-28", "2026-03-29", "2026-03-30", "2026-03-31"]);
    expect(report.data[1]).toEqual({ day: "2026-03-29", ...funnelFigures(counts(0, 0, 0, 0)) });
    expect(report.totals).toEqual(funnelFigures(counts(10, 8, 4, 1)));
    // Not the average of the days' rates (0.5 and 1 → 0.75): 8 ÷ 10.
    expect(report.totals.fillRate).toBe(0.8);
    expect(report).toMatchObject({ from: "2026-03-28", to: "2026-03-31", timeZone: "Europe/Paris" });
  });

  it("crosses months and leap days", () => {
    const report = conversionReport({ from: "2028-02-28", to: "2028-03-01" }, "UTC", []);
    expect(report.data.map((d) => d.day)).toEqual(["2028-02-28", "2028-02-29", "2028-03-01"]);
  });

  it("is a CSV table with a total record, decimal commas with ;", () => {
    const report = conversionReport({ from: "2026-03-29", to: "2026-03-30" }, "Europe/Paris", [
      { day: "2026-03-29", ...counts(3, 2, 1, 1) },
    ]);
    const records = conversionCsv(report, ";")
      .replace(/^\uFEFF/, "")
      .split("\r\n");
    expect(records).toEqual([
      "day;carts created;carts filled;checkouts started;orders paid;fill rate;checkout rate;payment rate;" +
        "conversion rate;abandonment rate",
      "2026-03-29;3;2;1;1;0,6667;0,5;1;0,3333;0,5",
      "2026-03-30;0;0;0;0;;;;;",
      "total;3;2;1;1;0,6667;0,5;1;0,3333;0,5",
      "",
    ]);
  });
});
