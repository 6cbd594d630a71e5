/**
 * Where an instant falls on a channel's calendar: its local day (YYYY-MM-DD) and hour (0-23) in an
 * IANA time zone, daylight saving time included (00:30 in Paris on 2026-03-29 is 23:30 UTC the day
 * before). Pure: Intl does the zone rules.
 */
export interface LocalSlot {
  day: string;
  hour: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function formatOf(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    // Throws RangeError for an unknown zone: the event is retried, then dead-lettered (never booked on a wrong day).
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    formats.set(timeZone, format);
  }
  return format;
}

export function localSlot(instant: string | Date, timeZone: string): LocalSlot {
  const date = typeof instant === "string" ? new Date(instant) : instant;
  if (Number.isNaN(date.getTime())) throw new RangeError(`not an instant: ${String(instant)}`);
  const parts: Record<string, string> = {};
  for (const part of formatOf(timeZone).formatToParts(date)) parts[part.type] = part.value;
  return { day: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour) % 24 };
}

/** True when `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatOf(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's UTC offset at an instant, in ms (its wall clock minus UTC; +1 h in Paris in winter). */
export function offsetAt(time: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatOf(timeZone).formatToParts(new Date(time))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const wall = new Date(0);
  wall.setUTCFullYear(parts.year!, parts.month! - 1, parts.day!);
  wall.setUTCHours(parts.hour! % 24, parts.minute!, parts.second!, 0);
  return wall.getTime() - Math.floor(time / 1000) * 1000;
}
