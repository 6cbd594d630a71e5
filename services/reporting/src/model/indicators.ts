import type { reportingHttp } from "@comptoir/contracts/http";
import { perOpeningHour } from "./opening-hours";
import { averageBasket } from "./sales-report";

/**
 * A store's indicators (seed 003 UC-CMD3) from its rollups over a period: the sums of its days and
 * its sales per local hour. Pure.
 */
export interface StoreSums {
  revenue: number;
  transactions: number;
  units: number;
  discounts: number;
  returns: number;
  cashVariance: number;
}

export interface HourRow {
  hour: number;
  revenue: number;
  transactions: number;
}

const round = (value: number, decimals: number) => {
  const factor = 10 ** decimals;
  const rounded = Math.round(value * factor) / factor;
  return Object.is(rounded, -0) ? 0 : rounded;
};

/** `openMs`: how long the store was open over the period (opening-hours.ts); null when its hours are unknown. */
export function storeFigures(
  period: { from: string; to: string },
  sums: StoreSums,
  hours: readonly HourRow[],
  openMs: number | null = null,
): reportingHttp.StoreFigures {
  const byHour = new Map(hours.map((h) => [h.hour, h]));
  return {
    from: period.from,
    to: period.to,
    revenue: sums.revenue,
    transactions: sums.transactions,
    averageBasket: averageBasket(sums.revenue, sums.transactions),
    unitsPerTransaction: sums.transactions === 0 ? 0 : round(sums.units / sums.transactions, 2),
    returnRate: sums.revenue === 0 ? null : round(sums.returns / sums.revenue, 4),
    discountRate:
      sums.revenue + sums.discounts === 0 ? null : round(sums.discounts / (sums.revenue + sums.discounts), 4),
    cashVariance: sums.cashVariance,
    salesPerOpeningHour: perOpeningHour(sums.revenue, openMs),
    salesByHour: Array.from({ length: 24 }, (_, hour) => ({
      hour,
      revenue: byHour.get(hour)?.revenue ?? 0,
      transactions: byHour.get(hour)?.transactions ?? 0,
    })),
  };
}

/** (current − previous) / |previous| in %, one decimal; null when the previous is 0 or unknown. */
export function changeOf(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || previous === 0) return null;
  return round(((current - previous) / Math.abs(previous)) * 100, 1);
}

export function indicatorsOf(
  store: reportingHttp.StoreIndicators["store"],
  current: reportingHttp.StoreFigures,
  previous: reportingHttp.StoreFigures,
): reportingHttp.StoreIndicators {
  const change = {} as reportingHttp.StoreIndicators["change"];
  for (const figure of [
    "revenue",
    "transactions",
    "averageBasket",
    "unitsPerTransaction",
    "returnRate",
    "discountRate",
    "cashVariance",
    "salesPerOpeningHour",
  ] as const) {
    change[figure] = changeOf(current[figure], previous[figure]);
  }
  return { store, ...current, previous, change };
}
