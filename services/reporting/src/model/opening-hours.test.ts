import { describe, expect, it } from "vitest";
import { offsetAt } from "./local-time";
import { instantOf, openingMilliseconds, type WeeklyHours } from "./opening-hours";

const HOUR = 3_600_000;
const PARIS = "Europe/Paris";
const day = (open: string, close: string) => [{ open, close }];
/** Open every day from `open` to `close`. */
const everyDay = (open: string, close: string): WeeklyHours => ({
  mon: day(open, close),
  tue: day(open, close),
  wed: day(open, close),
  thu: day(open, close),
  fri: day(open, close),
  sat: day(open, close),
  sun: day(open, close),
});
const hoursOf = (hours: WeeklyHours, from: string, to: string, timeZone = PARIS, until?: number) =>
  openingMilliseconds(hours, timeZone, { from, to }, until) / HOUR;

describe("a store's opening hours over a period", () => {
  it("08:00-20:00 is 12 h on both DST days in Paris, like any other day", () => {
    const hours = everyDay("08:00", "20:00");
    expect(hoursOf(hours, "2026-03-29", "2026-03-29")).toBe(12); // clocks go 02:00 → 03:00
    expect(hoursOf(hours, "2026-10-25", "2026-10-25")).toBe(12); // clocks go 03:00 → 02:00
    expect(hoursOf(hours, "2026-03-28", "2026-03-30")).toBe(36);
  });

  it("an interval across the change counts the hours the clocks ran: 2 h in spring, 4 h in autumn", () => {
    const hours = everyDay("01:00", "04:00");
    expect(hoursOf(hours, "2026-03-29", "2026-03-29")).toBe(2);
    expect(hoursOf(hours, "2026-10-25", "2026-10-25")).toBe(4);
    expect(hoursOf(hours, "2026-03-28", "2026-03-28")).toBe(3);
    // Opening at a time the clocks skip: open from the jump (03:00 summer time).
    expect(hoursOf(everyDay("02:30", "04:00"), "2026-03-29", "2026-03-29")).toBe(1);
    expect(hoursOf(everyDay("02:15", "02:45"), "2026-03-29", "2026-03-29")).toBe(0);
    // A closing time shown twice: its first occurrence (02:30 summer time).
    expect(hoursOf(everyDay("00:00", "02:30"), "2026-10-25", "2026-10-25")).toBe(2.5);
  });

  it("a closed day counts 0; several intervals a day add up (unordered, overlaps once)", () => {
    const hours: WeeklyHours = {
      mon: [
        { open: "14:00", close: "19:00" },
        { open: "09:00", close: "12:30" },
      ],
      tue: [
        { open: "09:00", close: "12:00" },
        { open: "11:00", close: "13:00" },
      ],
      wed: [],
      sun: [{ open: "10:00", close: "10:00" }],
    };
    expect(hoursOf(hours, "2026-03-02", "2026-03-02")).toBe(8.5); // a Monday
    expect(hoursOf(hours, "2026-03-03", "2026-03-03")).toBe(4);
    expect(hoursOf(hours, "2026-03-04", "2026-03-04")).toBe(0); // closed on Wednesdays
    expect(hoursOf(hours, "2026-03-05", "2026-03-08")).toBe(0); // no hours Thursday to Sunday
    expect(hoursOf({}, "2026-03-01", "2026-03-31")).toBe(0);
  });

  it("a period spanning weeks counts each weekday as often as it occurs", () => {
    const hours: WeeklyHours = { ...everyDay("10:00", "19:00"), sun: [] };
    // 2026-03-02 (Monday) to 2026-03-22 (Sunday): 3 weeks of 6 days × 9 h.
    expect(hoursOf(hours, "2026-03-02", "2026-03-22")).toBe(3 * 6 * 9);
    // March 2026 (from a Sunday): 31 days, 5 Sundays; the spring change is on a Sunday (closed).
    expect(hoursOf(hours, "2026-03-01", "2026-03-31")).toBe(26 * 9);
    // A year: 52 Sundays in 2026 out of 365 days.
    expect(hoursOf(hours, "2026-01-01", "2026-12-31")).toBe(313 * 9);
  });

  it("uses the store's own zone, and counts nothing after `until`", () => {
    const hours = everyDay("09:00", "17:00");
    // New York changes on 2026-03-08: still 8 h.
    expect(hoursOf(hours, "2026-03-08", "2026-03-08", "America/New_York")).toBe(8);
    expect(hoursOf(hours, "2026-03-01", "2026-03-07", "Asia/Tokyo")).toBe(56);
    // Paris, 2026-03-10 at 12:00 local (11:00 UTC): 3 h of that day, none of the next.
    const until = Date.parse("2026-03-10T11:00:00Z");
    expect(hoursOf(hours, "2026-03-09", "2026-03-11", PARIS, until)).toBe(8 + 3);
    expect(hoursOf(hours, "2026-03-11", "2026-03-12", PARIS, until)).toBe(0);
  });

  it("refuses an unknown zone", () => {
    expect(() => hoursOf(everyDay("09:00", "17:00"), "2026-03-01", "2026-03-01", "Mars/Olympus")).toThrow(RangeError);
  });
});

describe("local times and instants", () => {
  it("reads the zone's offset, summer and winter", () => {
    expect(offsetAt(Date.parse("2026-01-15T12:00:00Z"), PARIS)).toBe(HOUR);
    expect(offsetAt(Date.parse("2026-07-15T12:00:00Z"), PARIS)).toBe(2 * HOUR);
    expect(offsetAt(Date.parse("2026-07-15T12:00:00Z"), "America/New_York")).toBe(-4 * HOUR);
  });

  it("finds the instant of a wall-clock time, skipped and repeated ones included", () => {
    const at = (wall: string) => new Date(instantOf(Date.parse(`${wall}Z`), PARIS)).toISOString();
    expect(at("2026-03-29T01:30:00")).toBe("2026-03-29T00:30:00.000Z");
    expect(at("2026-03-29T02:30:00")).toBe("2026-03-29T01:00:00.000Z"); // skipped: the jump
    expect(at("2026-03-29T03:00:00")).toBe("2026-03-29T01:00:00.000Z");
    expect(at("2026-10-25T02:30:00")).toBe("2026-10-25T00:30:00.000Z"); // twice: the first
    expect(at("2026-10-25T03:00:00")).toBe("2026-10-25T02:00:00.000Z");
  });
});
