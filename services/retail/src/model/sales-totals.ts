import type { retailHttp } from "@comptoir/contracts/http";
import { dayPeriodProblem } from "@comptoir/platform";

/**
 * The period of a sales-totals request, and the figures of its rows. Pure: the repository sums the
 * documents per store and local day, this checks what was asked and adds the rows up.
 */

export class PeriodError extends Error {
  override name = "PeriodError";
}

/** Real days, from ≤ to, at most `maxDays` of them (throws PeriodError). */
export function checkPeriod(period: { from: string; to: string }, maxDays: number): void {
  const problem = dayPeriodProblem(period, maxDays);
  if (problem) throw new PeriodError(problem);
}

const FIGURES = [
  "salesCount",
  "salesTotal",
  "discountTotal",
  "returnsCount",
  "returnsTotal",
  "voidsCount",
  "voidsTotal",
  "closings",
  "cashVariance",
] as const satisfies readonly (keyof retailHttp.SalesTotalsFigures)[];

/** The period's totals: every row's figures added up. */
export function totalsOf(rows: readonly retailHttp.SalesTotalsFigures[]): retailHttp.SalesTotalsFigures {
  const totals = Object.fromEntries(FIGURES.map((f) => [f, 0])) as retailHttp.SalesTotalsFigures;
  for (const row of rows) for (const f of FIGURES) totals[f] += row[f];
  return totals;
}
