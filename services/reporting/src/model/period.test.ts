import { describe, expect, it } from "vitest";
import { checkPeriod, isoWeekOf, lengthOf, PeriodError, previousPeriod, wholeMonthsOf } from "./period";

describe("a report's period", () => {
  it("counts both ends and finds the previous period of equal length", () => {
    expect(lengthOf({ from: "2026-03-01", to: "2026-03-31" })).toBe(31);
    expect(lengthOf({ from: "2026-03-29", to: "2026-03-29" })).toBe(1);
    expect(previousPeriod({ from: "2026-03-01", to: "2026-03-31" })).toEqual({ from: "2026-01-29", to: "2026-02-28" });
    expect(previousPeriod({ from: "2026-01-01", to: "2026-01-01" })).toEqual({ from: "2025-12-31", to: "2025-12-31" });
  });

  it("refuses invalid dates, from after to, and more than three years", () => {
    expect(() => checkPeriod({ from: "2026-02-30", to: "2026-03-01" })).toThrow(PeriodError);
    expect(() => checkPeriod({ from: "2026-13-01", to: "2026-13-02" })).toThrow(PeriodError);
    expect(() => checkPeriod({ from: "2026-03-02", to: "2026-03-01" })).toThrow(PeriodError);
    expect(() => checkPeriod({ from: "2023-01-01", to: "2026-01-03" })).toThrow(/at most 1098 days/);
    expect(checkPeriod({ from: "2023-01-01", to: "2026-01-02" })).toEqual({ from: "2023-01-01", to: "2026-01-02" });
    expect(checkPeriod({ from: "2024-02-29", to: "2024-02-29" }).from).toBe("2024-02-29");
  });

  it("names ISO weeks from their Monday, in the ISO year of their Thursday", () => {
    expect(isoWeekOf("2026-03-29")).toEqual({ key: "2026-W13", monday: "2026-03-23" });
    expect(isoWeekOf("2026-03-30")).toEqual({ key: "2026-W14", monday: "2026-03-30" });
    expect(isoWeekOf("2027-01-01")).toEqual({ key: "2026-W53", monday: "2026-12-28" });
    expect(isoWeekOf("2024-12-30")).toEqual({ key: "2025-W01", monday: "2024-12-30" });
  });
});

describe("the whole months of a period", () => {
  it("are read from monthly rollups, the days around them from daily ones", () => {
    expect(wholeMonthsOf({ from: "2026-03-01", to: "2026-11-30" })).toEqual({ from: "2026-03-01", to: "2026-11-30" });
    expect(wholeMonthsOf({ from: "2026-03-15", to: "2026-10-25" })).toEqual({ from: "2026-04-01", to: "2026-09-30" });
    expect(wholeMonthsOf({ from: "2026-02-01", to: "2026-02-28" })).toEqual({ from: "2026-02-01", to: "2026-02-28" });
    expect(wholeMonthsOf({ from: "2024-02-01", to: "2024-02-28" })).toBeNull();
    expect(wholeMonthsOf({ from: "2026-03-02", to: "2026-04-30" })).toEqual({ from: "2026-04-01", to: "2026-04-30" });
    expect(wholeMonthsOf({ from: "2026-03-02", to: "2026-03-31" })).toBeNull();
    expect(wholeMonthsOf({ from: "2026-12-01", to: "2027-01-31" })).toEqual({ from: "2026-12-01", to: "2027-01-31" });
  });
});
