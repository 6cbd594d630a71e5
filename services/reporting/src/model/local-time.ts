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
  const time = typeof instant === "string" ? Date.parse(instant) : instant.getTime();
  if (Number.isNaN(time)) throw new RangeError(`not an instant: ${String(instant)}`);
  const local = new Date(time + offsetAt(time, timeZone));
  return { day: local.toISOString().slice(0, 10), hour: local.getUTCHours() };
}

const SECOND_MS = 1000;
const SPAN_MS = 6 * 60 * 60 * SECOND_MS;
const spanOffsets = new Map<string, number>();

/**
 * The zone's UTC offset at an instant, in ms (its wall clock minus UTC; +1 h in Paris in winter).
 * Remembered per zone and six hours of UTC: Intl's answer costs tens of microseconds, and ingestion
 * asks for every event (years of history: tens of thousands of hours), a year's indicators for every
 * week. No zone changes its offset twice within six hours: a span whose first and last seconds have
 * the same offset has it throughout; one whose offsets differ (a change of the clocks) is not
 * remembered, each instant in it asks Intl.
 */
export function offsetAt(time: number, timeZone: string): number {
  const span = Math.floor(time / SPAN_MS);
  const key = `${timeZone} ${span}`;
  let offset = spanOffsets.get(key);
  if (offset === undefined) {
    const start = span * SPAN_MS;
    const first = intlOffsetAt(start, timeZone);
    offset = first === intlOffsetAt(start + SPAN_MS - SECOND_MS, timeZone) ? first : Number.NaN;
    if (spanOffsets.size >= 100_000) spanOffsets.clear();
    spanOffsets.set(key, offset);
  }
  return Number.isNaN(offset) ? intlOffsetAt(time, timeZone) : offset;
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

/** offsetAt as Intl tells it (to the second). */
function intlOffsetAt(time: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatOf(timeZone).formatToParts(new Date(time))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  const wall = new Date(0);
  wall.setUTCFullYear(parts.year!, parts.month! - 1, parts.day!);
  wall.setUTCHours(parts.hour! % 24, parts.minute!, parts.second!, 0);
  return wall.getTime() - Math.floor(time / 1000) * 1000;
}
