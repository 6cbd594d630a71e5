/**
 * Periods of calendar days (`YYYY-MM-DD`, from and to included), as the sales reports and the
 * totals that reconcile them take them.
 */

/** A calendar day as days since 1970-01-01, or undefined when it is not a real date (2026-02-30). */
export function dayNumber(day: string): number | undefined {
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(day)) return undefined;
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const at = Date.UTC(y, m - 1, d);
  // 2026-02-30 rolls over to March: not a day of the calendar.
  return new Date(at).toISOString().slice(0, 10) === day ? at / 86_400_000 : undefined;
}

/** Why a period is refused — a day that is not one, from after to, more than `maxDays` — or null. */
export function dayPeriodProblem(period: { from: string; to: string }, maxDays: number): string | null {
  const from = dayNumber(period.from);
  const to = dayNumber(period.to);
  if (from === undefined || to === undefined) return `${from === undefined ? period.from : period.to} is not a day.`;
  if (from > to) return `from (${period.from}) is after to (${period.to}).`;
  if (to - from + 1 > maxDays) return `A period covers at most ${maxDays} days (from and to included).`;
  return null;
}

/** Whether this runtime knows the IANA time zone. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return true;
  } catch {
    return false;
  }
}
