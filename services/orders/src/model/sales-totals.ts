import type { ordersHttp } from "@comptoir/contracts/http";
import { dayPeriodProblem, isTimeZone } from "@comptoir/platform";

/**
 * The period of a sales-totals request, and the figures of its days. Pure: the repository sums the
 * orders per local day, this checks what was asked and adds the days up.
 */

export class TotalsRequestError extends Error {
  override name = "TotalsRequestError";

  constructor(
    readonly code: "invalid_period" | "invalid_time_zone",
    message: string,
  ) {
    super(message);
  }
}

/** Real days, from ≤ to, at most `maxDays` of them (throws TotalsRequestError invalid_period). */
export function checkPeriod(period: { from: string; to: string }, maxDays: number): void {
  const problem = dayPeriodProblem(period, maxDays);
  if (problem) throw new TotalsRequestError("invalid_period", problem);
}

/** An IANA time zone this runtime knows (throws TotalsRequestError invalid_time_zone). */
export function checkTimeZone(timeZone: string): void {
  if (!isTimeZone(timeZone))
    throw new TotalsRequestError("invalid_time_zone", `"${timeZone}" is not an IANA time zone (e.g. Europe/Paris).`);
}

/** The period's totals: the days' figures added up. */
export function totalsOf(days: readonly ordersHttp.SalesTotalsFigures[]): ordersHttp.SalesTotalsFigures {
  const totals = { paidCount: 0, paidTotal: 0, refundsCount: 0, refundsTotal: 0 };
  for (const d of days) {
    totals.paidCount += d.paidCount;
    totals.paidTotal += d.paidTotal;
    totals.refundsCount += d.refundsCount;
    totals.refundsTotal += d.refundsTotal;
  }
  return totals;
}
