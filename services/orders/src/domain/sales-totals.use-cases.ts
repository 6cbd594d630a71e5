import { ordersHttp } from "@comptoir/contracts/http";
import type { Db } from "@comptoir/platform";
import { salesTotalsByDay } from "../db/sales-totals.repo";
import { checkPeriod, checkTimeZone, totalsOf } from "../model/sales-totals";

export interface SalesTotalsDeps {
  db: Db;
}

/**
 * What orders booked per local day, from its own table: what reporting's online channel should hold
 * (`comptoir reporting reconcile` compares them). Throws TotalsRequestError for a bad period or zone.
 */
export async function salesTotals(
  deps: SalesTotalsDeps,
  query: ordersHttp.SalesTotalsQuery,
): Promise<ordersHttp.SalesTotals> {
  const timeZone = query.timeZone ?? ordersHttp.DEFAULT_TOTALS_TIME_ZONE;
  checkPeriod(query, ordersHttp.MAX_SALES_TOTALS_DAYS);
  checkTimeZone(timeZone);
  const data = await salesTotalsByDay(deps.db, { from: query.from, to: query.to, timeZone });
  return { from: query.from, to: query.to, timeZone, data, totals: totalsOf(data) };
}
