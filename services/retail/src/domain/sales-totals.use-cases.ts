import { retailHttp } from "@comptoir/contracts/http";
import { salesTotalsByStoreDay } from "../db/sales-totals.repo";
import { checkPeriod, totalsOf } from "../model/sales-totals";
import type { RetailContext } from "./context";

/**
 * What the stores booked per store and local day, from retail's own tables: what reporting's store
 * channels should hold (`comptoir reporting reconcile` compares them). Throws PeriodError.
 */
export async function salesTotals(
  ctx: Pick<RetailContext, "db">,
  query: retailHttp.SalesTotalsQuery,
): Promise<retailHttp.SalesTotals> {
  checkPeriod(query, retailHttp.MAX_SALES_TOTALS_DAYS);
  const data = await salesTotalsByStoreDay(ctx.db, { from: query.from, to: query.to, storeId: query.storeId ?? null });
  return { from: query.from, to: query.to, data, totals: totalsOf(data) };
}
