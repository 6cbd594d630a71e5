import { describe, expect, it } from "vitest";
import { dayNumber, dayPeriodProblem, isTimeZone } from "./day-period";

describe("periods of days", () => {
  it("numbers real days only", () => {
    expect(dayNumber("1970-01-02")).toBe(1);
    expect(dayNumber("2024-02-29")).toBe(dayNumber("2024-02-28")! + 1);
    expect(dayNumber("2026-02-29")).toBeUndefined();
    expect(dayNumber("2026-02-30")).toBeUndefined();
    expect(dayNumber("2026-1-01")).toBeUndefined();
    expect(dayNumber("yesterday")).toBeUndefined();
  });

  it("refuses a day that is not one, from after to and a period too long, saying which", () => {
    expect(dayPeriodProblem({ from: "2026-01-01", to: "2026-01-01" }, 1)).toBeNull();
    expect(dayPeriodProblem({ from: "2026-01-01", to: "2026-01-03" }, 3)).toBeNull();
    expect(dayPeriodProblem({ from: "2026-01-01", to: "2026-01-04" }, 3)).toMatch(/at most 3 days/);
    expect(dayPeriodProblem({ from: "2026-01-02", to: "2026-01-01" }, 3)).toMatch(/after/);
    expect(dayPeriodProblem({ from: "2026-02-30", to: "2026-03-01" }, 3)).toMatch(/2026-02-30 is not a day/);
  });

  it("knows IANA time zones", () => {
    expect(isTimeZone("Europe/Paris")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
  });
});
