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

describe("local slots remembered per six hours", () => {
  const zones = [
    "Europe/Paris",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "America/New_York",
    "UTC",
  ];
  const formats = new Map(
    zones.map((timeZone) => [
      timeZone,
      new Intl.DateTimeFormat("en-CA", {
        timeZone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        hourCycle: "h23",
      }),
    ]),
  );
  /** Intl's own answer for the instant. */
  const intlSlot = (time: number, timeZone: string) => {
    const parts = Object.fromEntries(
      formats
        .get(timeZone)!
        .formatToParts(new Date(time))
        .map((p) => [p.type, p.value]),
    );
    return { day: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) % 24 };
  };

  it("equal Intl's answer every five minutes around each zone's offset changes, and at random instants", () => {
    for (const zone of zones) {
      // Every five minutes of 2026's nights of change in each hemisphere (and a quiet night).
      for (const night of ["2026-03-08", "2026-03-29", "2026-04-05", "2026-10-04", "2026-10-25", "2026-11-01"]) {
        const start = Date.parse(`${night}T00:00:00Z`) - 12 * 3_600_000;
        for (let t = start; t < start + 36 * 3_600_000; t += 300_000 + 7) {
          expect(localSlot(new Date(t), zone)).toEqual(intlSlot(t, zone));
        }
      }
      let seed = 7;
      for (let i = 0; i < 2_000; i++) {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        const t = Date.parse("2020-01-01T00:00:00Z") + (seed % (8 * 365 * 86_400)) * 1000;
        expect(localSlot(new Date(t).toISOString(), zone)).toEqual(intlSlot(t, zone));
      }
    }
  });
});
