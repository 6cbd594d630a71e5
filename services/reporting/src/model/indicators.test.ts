import { describe, expect, it } from "vitest";
import { changeOf, indicatorsOf, storeFigures } from "./indicators";

const STORE = { id: "s", code: "S", name: "S", timezone: "UTC", openingHours: null, openingHoursAsOf: null };

describe("a store's indicators", () => {
  const period = { from: "2026-03-01", to: "2026-03-31" };
  it("derives basket, units per transaction, return and discount rates, 24 hours", () => {
    const f = storeFigures(
      period,
      { revenue: 10_000, transactions: 3, units: 7, discounts: 500, returns: 1000, cashVariance: -20 },
      [{ hour: 10, revenue: 10_000, transactions: 3 }],
    );
    expect(f).toMatchObject({
      averageBasket: 3333,
      unitsPerTransaction: 2.33,
      returnRate: 0.1,
      discountRate: 0.0476,
      cashVariance: -20,
    });
    expect(f.salesByHour).toHaveLength(24);
    expect(f.salesByHour[10]).toEqual({ hour: 10, revenue: 10_000, transactions: 3 });
    expect(f.salesByHour[9]).toEqual({ hour: 9, revenue: 0, transactions: 0 });
  });

  it("without sales: zero basket, no rates", () => {
    const f = storeFigures(
      period,
      { revenue: 0, transactions: 0, units: 0, discounts: 0, returns: 0, cashVariance: 0 },
      [],
    );
    expect(f).toMatchObject({ averageBasket: 0, unitsPerTransaction: 0, returnRate: null, discountRate: null });
  });

  it("sales per opening hour: revenue over the hours open, in cents per hour; null without hours", () => {
    const sums = { revenue: 100_000, transactions: 10, units: 10, discounts: 0, returns: 0, cashVariance: 0 };
    const HOUR = 3_600_000;
    expect(storeFigures(period, sums, [], 30 * HOUR).salesPerOpeningHour).toBe(3333);
    expect(storeFigures(period, sums, [], 0).salesPerOpeningHour).toBeNull();
    expect(storeFigures(period, sums, [], null).salesPerOpeningHour).toBeNull();
    expect(storeFigures(period, sums, []).salesPerOpeningHour).toBeNull();
    const cur = storeFigures(period, sums, [], 40 * HOUR);
    const prev = storeFigures(period, sums, [], 50 * HOUR);
    expect(indicatorsOf(STORE, cur, prev).change.salesPerOpeningHour).toBe(25);
    expect(indicatorsOf(STORE, cur, storeFigures(period, sums, [])).change.salesPerOpeningHour).toBeNull();
  });

  it("compares with the previous period in %, null when the previous is 0", () => {
    expect(changeOf(150, 100)).toBe(50);
    expect(changeOf(50, -100)).toBe(150);
    expect(changeOf(1, 3)).toBe(-66.7);
    expect(changeOf(5, 0)).toBeNull();
    expect(changeOf(null, 1)).toBeNull();
    const cur = storeFigures(
      period,
      { revenue: 200, transactions: 2, units: 2, discounts: 0, returns: 0, cashVariance: 0 },
      [],
    );
    const prev = storeFigures(
      period,
      { revenue: 100, transactions: 1, units: 1, discounts: 0, returns: 0, cashVariance: 0 },
      [],
    );
    const report = indicatorsOf(STORE, cur, prev);
    expect(report.change).toMatchObject({ revenue: 100, transactions: 100, averageBasket: 0, returnRate: null });
  });
});
