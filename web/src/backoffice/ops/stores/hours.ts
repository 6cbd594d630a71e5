import { type OpeningHours, WEEKDAYS, type Weekday } from "../types";

/** A day's intervals as typed: "09:00-12:30, 14:00-19:00"; empty: closed. */
export type HoursText = Record<Weekday, string>;

export const hoursToText = (hours: OpeningHours): HoursText =>
  Object.fromEntries(
    WEEKDAYS.map((day) => [day, hours[day].map((slot) => `${slot.open}-${slot.close}`).join(", ")]),
  ) as HoursText;

const SLOT = /^(\d{1,2})[:h]([0-5]\d)\s*[-–à]\s*(\d{1,2})[:h]([0-5]\d)$/;
const time = (hours: string, minutes: string) => (Number(hours) < 24 ? `${hours.padStart(2, "0")}:${minutes}` : null);

/** "9:00-12:30" (or 9h00–12h30) → {open: "09:00", close: "12:30"}; null when it does not read so. */
function slotOf(text: string): { open: string; close: string } | null {
  const match = SLOT.exec(text);
  if (!match) return null;
  const open = time(match[1]!, match[2]!);
  const close = time(match[3]!, match[4]!);
  return open && close && open < close ? { open, close } : null;
}

/** The typed hours → the API's, or the days that do not read as HH:MM-HH:MM intervals (at most 4 a day). */
export function textToHours(text: HoursText): { hours: OpeningHours } | { invalid: Weekday[] } {
  const invalid: Weekday[] = [];
  const hours = {} as OpeningHours;
  for (const day of WEEKDAYS) {
    const slots = text[day]
      .split(/[,;]/)
      .map((part) => part.trim())
      .filter(Boolean)
      .map(slotOf);
    if (slots.length > 4 || slots.some((slot) => slot === null)) invalid.push(day);
    else hours[day] = slots as { open: string; close: string }[];
  }
  return invalid.length > 0 ? { invalid } : { hours };
}

export const EMPTY_HOURS: HoursText = { mon: "", tue: "", wed: "", thu: "", fri: "", sat: "", sun: "" };
