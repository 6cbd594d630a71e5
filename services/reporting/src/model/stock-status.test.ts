import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dailySales, daysOfCover, roundCover, type StockFigures, stockStatus } from "./stock-status";

const STATUS_CASES: readonly [StockFigures, number, ReturnType<typeof stockStatus>][] = [
  [{ available: 0, lowStockThreshold: 5, unitsSold: 10 }, 90, "out"],
  [{ available: 0, lowStockThreshold: null, unitsSold: 0 }, 90, "out"],
  [{ available: 5, lowStockThreshold: 5, unitsSold: 0 }, 90, "low"],
  [{ available: 3, lowStockThreshold: 5, unitsSold: 0 }, 90, "low"],
  [{ available: 6, lowStockThreshold: 5, unitsSold: 28 }, 90, "ok"],
  [{ available: 1000, lowStockThreshold: null, unitsSold: 0 }, 90, "ok"],
  [{ available: 90, lowStockThreshold: null, unitsSold: 28 }, 90, "ok"],
  [{ available: 91, lowStockThreshold: null, unitsSold: 28 }, 90, "overstock"],
  [{ available: 31, lowStockThreshold: 2, unitsSold: 28 }, 30, "overstock"],
  [{ available: 30, lowStockThreshold: 40, unitsSold: 1 }, 90, "low"],
];

describe("days of cover", () => {
  it("are what is available divided by the units sold per day over the last 28 days", () => {
    expect(dailySales(56)).toBe(2);
    expect(daysOfCover(10, 56)).toBe(5);
    expect(daysOfCover(7, 28)).toBe(7);
    expect(daysOfCover(0, 28)).toBe(0);
  });

  it("are null when nothing sold in 28 days", () => {
    expect(daysOfCover(10, 0)).toBeNull();
    expect(daysOfCover(0, 0)).toBeNull();
  });

  it("are shown with one decimal", () => {
    expect(roundCover(daysOfCover(10, 3))).toBe(93.3);
    expect(roundCover(null)).toBeNull();
  });
});

describe("stock status", () => {
  it.each(STATUS_CASES)("%j with overstock above %d days is %s", (figures, overstockDays, status) => {
    expect(stockStatus(figures, overstockDays)).toBe(status);
  });

  it("is 90 days of cover by default before overstock", () => {
    expect(stockStatus({ available: 90, lowStockThreshold: null, unitsSold: 28 })).toBe("ok");
    expect(stockStatus({ available: 91, lowStockThreshold: null, unitsSold: 28 })).toBe("overstock");
  });

  it("out, low and overstock exclude each other in that order of precedence", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5, max: 10_000 }),
        fc.option(fc.integer({ min: 0, max: 10_000 })),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 1, max: 365 }),
        (available, lowStockThreshold, unitsSold, overstockDays) => {
          const status = stockStatus({ available, lowStockThreshold, unitsSold }, overstockDays);
          const cover = daysOfCover(available, unitsSold);
          if (available <= 0) return status === "out";
          if (lowStockThreshold !== null && available <= lowStockThreshold) return status === "low";
          if (cover !== null && cover > overstockDays) return status === "overstock";
          return status === "ok";
        },
      ),
    );
  });
});
