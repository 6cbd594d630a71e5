import { reportingHttp } from "@comptoir/contracts/http";
import { dayPeriodProblem } from "@comptoir/platform";

/**
 * A report's period: calendar days, both ends included. Days are handled as UTC midnights so that
 * arithmetic never meets a DST change (a day is a label here; each channel already booked its sales
 * on its own local day).
 */
export interface Period {
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export class PeriodError extends Error {
  override name = "PeriodError";
}

/** The UTC midnight of a YYYY-MM-DD day; throws PeriodError if it is no real date (2026-02-30). */
export function dayToTime(day: string): number {
  const match = DAY.exec(day);
  if (!match) throw new PeriodError(`${day} is not a date (YYYY-MM-DD)`);
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const time = Date.UTC(year, month - 1, date);
  const back = new Date(time);
  if (year < 1 || back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== date) {
    throw new PeriodError(`${day} is not a date`);
  }
  return time;
}

export function timeToDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return timeToDay(dayToTime(day) + days * DAY_MS);
}

/** Days in the period, both ends counted. */
export function lengthOf(period: Period): number {
  return Math.round((dayToTime(period.to) - dayToTime(period.from)) / DAY_MS) + 1;
}

/** Checks a requested period: real dates, from ≤ to, at most MAX_REPORT_DAYS days (the platform's rule). */
export function checkPeriod(period: Period): Period {
  const problem = dayPeriodProblem(period, reportingHttp.MAX_REPORT_DAYS);
  if (problem) throw new PeriodError(problem);
  return period;
}

/** The period of equal length that ends the day before `period` starts. */
export function previousPeriod(period: Period): Period {
  const days = lengthOf(period);
  return { from: addDays(period.from, -days), to: addDays(period.from, -1) };
}

/** The ISO week of a day: its key (`2026-W13`, the ISO year's) and its Monday. */
export function isoWeekOf(day: string): { key: string; monday: string } {
  const time = dayToTime(day);
  const weekday = (new Date(time).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const monday = time - weekday * DAY_MS;
  const thursday = monday + 3 * DAY_MS; // the ISO year is the year of the week's Thursday
  const isoYear = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(isoYear, 0, 1)) / (7 * DAY_MS)) + 1;
  return { key: `${isoYear}-W${String(week).padStart(2, "0")}`, monday: timeToDay(monday) };
}

export function monthOf(day: string): string {
  return day.slice(0, 7);
}

/**
 * The whole calendar months inside a period, as the first day of the first and the last day of the
 * last (null when it holds none): those are read from monthly rollups, the days around them from
 * daily ones.
 */
export function wholeMonthsOf(period: Period): Period | null {
  const first = period.from.endsWith("-01") ? period.from : nextMonthStart(period.from);
  const last =
    addDays(nextMonthStart(period.to), -1) === period.to ? period.to : addDays(`${monthOf(period.to)}-01`, -1);
  return first <= last ? { from: first, to: last } : null;
}

function nextMonthStart(day: string): string {
  const date = new Date(dayToTime(day));
  return timeToDay(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1));
}
