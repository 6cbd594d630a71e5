import { offsetAt } from "./local-time";
import { dayToTime, lengthOf, type Period } from "./period";

/**
 * How long a store is open over a period of its local days, from its weekly opening hours (retail's
 * store events: each weekday's intervals, `HH:MM` local time in the store's zone; an empty list:
 * closed that day). Each interval lasts from the instant its opening time denotes to the instant its
 * closing time denotes, so daylight saving time counts as the clocks run: 08:00-20:00 is 12 h on every
 * day, 01:00-04:00 is 2 h the night the clocks go forward (Europe/Paris, 2026-03-29) and 4 h the night
 * they go back (2026-10-25). A time the clocks skip is the instant they skip it (02:30 that spring
 * night: 03:00 summer time); a time they show twice is its first occurrence. Pure: Intl knows the
 * zones' rules.
 */
export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface OpeningInterval {
  open: string;
  close: string;
}
/** Each weekday's intervals; a missing or empty day is closed. */
export type WeeklyHours = Partial<Record<Weekday, readonly OpeningInterval[]>>;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The widest UTC offset there is (Pacific/Kiritimati, +14:00; -12:00 is narrower). */
const WIDEST_OFFSET = 14 * HOUR;
const TIME = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;

/**
 * Milliseconds the store is open over the local days of `period` (both ends included), counting only
 * what has happened by `until` (an instant in ms: a day in progress counts its hours so far, a day to
 * come nothing). 0 for a week without hours; throws RangeError for an unknown time zone.
 */
export function openingMilliseconds(
  hours: WeeklyHours,
  timeZone: string,
  period: Period,
  until = Number.POSITIVE_INFINITY,
): number {
  const week = WEEKDAYS.map((day) => minutesOf(hours[day] ?? []));
  const first = dayToTime(period.from);
  const days = lengthOf(period);
  // A local day lies within [its date − 14 h, its date + 1 day + 12 h] in UTC: when the zone's offset
  // is the same at checkpoints around it, the clocks did not change that day and its times are plain
  // arithmetic (zones change at most twice a year). Checkpoints every week, then every day in the
  // weeks around a change; only the day of a change asks the zone for each time.
  const checkpoints = (step: number) => {
    const offsets: number[] = [];
    const at = (k: number) => (offsets[k] ??= offsetAt(first + k * step * DAY - WIDEST_OFFSET, timeZone));
    return (k: number, after: number) => {
      const offset = at(k);
      for (let n = 1; n <= after; n++) if (at(k + n) !== offset) return null;
      return offset;
    };
  };
  const weekly = checkpoints(7);
  const daily = checkpoints(1);
  let total = 0;
  for (let i = 0; i < days; i++) {
    const midnight = first + i * DAY; // the day's local midnight, read as if it were UTC
    if (midnight - WIDEST_OFFSET >= until) break;
    const intervals = week[(new Date(midnight).getUTCDay() + 6) % 7]!;
    if (intervals.length === 0) continue;
    const offset = weekly(Math.floor(i / 7), 2) ?? daily(i, 3);
    const instant = (minutes: number) =>
      offset === null ? instantOf(midnight + minutes * MINUTE, timeZone) : midnight + minutes * MINUTE - offset;
    for (const [open, close] of intervals) {
      total += Math.max(0, Math.min(instant(close), until) - instant(open));
    }
  }
  return total;
}

/** Revenue per opening hour (cents per hour, rounded); null when the store was open no time at all (or unknown). */
export function perOpeningHour(revenue: number, openMs: number | null): number | null {
  if (openMs === null || openMs <= 0) return null;
  const perHour = Math.round((revenue * HOUR) / openMs);
  return Object.is(perHour, -0) ? 0 : perHour;
}

/** Hours as minutes since midnight, unreadable or empty intervals left out, overlaps merged, in order. */
function minutesOf(intervals: readonly OpeningInterval[]): [number, number][] {
  const parsed = intervals
    .map((i) => [minuteOf(i.open), minuteOf(i.close)] as const)
    .filter((i): i is readonly [number, number] => i[0] !== null && i[1] !== null && i[1] > i[0])
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [open, close] of parsed) {
    const last = merged.at(-1);
    if (last && open <= last[1]) last[1] = Math.max(last[1], close);
    else merged.push([open, close]);
  }
  return merged;
}

function minuteOf(time: string): number | null {
  const match = TIME.exec(time);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/**
 * The instant a wall-clock time (read as if UTC) denotes in the zone: its first occurrence when the
 * clocks show it twice; when they skip it, the instant they jump (the first whose clock reads it or later).
 */
export function instantOf(wall: number, timeZone: string): number {
  const before = offsetAt(wall - DAY, timeZone);
  const after = offsetAt(wall + DAY, timeZone);
  const candidates = [wall - before, wall - after].filter((t) => offsetAt(t, timeZone) === wall - t);
  if (candidates.length > 0) return Math.min(...candidates);
  // Skipped (clocks forward: after > before): the jump lies in (wall − after, wall − before].
  let low = wall - after;
  let high = wall - before;
  while (high - low > SECOND) {
    const middle = Math.floor((low + high) / (2 * SECOND)) * SECOND;
    if (offsetAt(middle, timeZone) === before) low = middle;
    else high = middle;
  }
  return high;
}
