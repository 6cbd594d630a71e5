import { describe, expect, it } from "vitest";
import { isTimeZone, localSlot } from "./local-time";

describe("the local day and hour of an instant", () => {
  it("books 00:30 in Paris on the local day, across both DST changes of 2026", () => {
    // 2026-03-29: clocks go 02:00 → 03:00; 00:30 is still winter time (UTC+1).
    expect(localSlot("2026-03-28T23:30:00.000Z", "Europe/Paris")).toEqual({ day: "2026-03-29", hour: 0 });
    // 2026-10-25: clocks go 03:00 → 02:00; 00:30 is still summer time (UTC+2).
    expect(localSlot("2026-10-24T22:30:00.000Z", "Europe/Paris")).toEqual({ day: "2026-10-25", hour: 0 });
  });

  it("books an hour that happens twice (the autumn change) on that hour", () => {
    expect(localSlot("2026-10-25T00:30:00.000Z", "Europe/Paris")).toEqual({ day: "2026-10-25", hour: 2 });
    expect(localSlot("2026-10-25T01:30:00.000Z", "Europe/Paris")).toEqual({ day: "2026-10-25", hour: 2 });
  });

  it("uses each zone's own calendar", () => {
    const instant = "2026-06-01T03:00:00.000Z";
    expect(localSlot(instant, "UTC")).toEqual({ day: "2026-06-01", hour: 3 });
    expect(localSlot(instant, "America/New_York")).toEqual({ day: "2026-05-31", hour: 23 });
    expect(localSlot(instant, "Asia/Tokyo")).toEqual({ day: "2026-06-01", hour: 12 });
  });

  it("refuses an unknown zone or an invalid instant", () => {
    expect(isTimeZone("Europe/Paris")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
    expect(() => localSlot("2026-06-01T00:00:00Z", "Mars/Olympus")).toThrow(RangeError);
    expect(() => localSlot("yesterday", "UTC")).toThrow(RangeError);
  });
});
