import type { reportingConversionHttp } from "@comptoir/contracts/http";
import { addDays, type Period } from "./period";

/**
 * The online conversion funnel: counts per day (carts created, carts filled, checkouts started, orders
 * paid) and the rates between the counts of the same day or period. Pure.
 */

type ConversionFigures = reportingConversionHttp.ConversionFigures;
type ConversionReport = reportingConversionHttp.ConversionReport;

/** The steps the funnel's own events count (orders paid are the sales model's). */
export type FunnelStep = "cartsCreated" | "cartsFilled" | "checkoutsStarted";

export interface FunnelCounts {
  cartsCreated: number;
  cartsFilled: number;
  checkoutsStarted: number;
  ordersPaid: number;
}

export interface DayCounts extends FunnelCounts {
  /** YYYY-MM-DD, a day of the online channel's time zone. */
  day: string;
}

const ZERO: FunnelCounts = { cartsCreated: 0, cartsFilled: 0, checkoutsStarted: 0, ordersPaid: 0 };

const round4 = (value: number) => {
  const rounded = Math.round(value * 10_000) / 10_000;
  return Object.is(rounded, -0) ? 0 : rounded;
};

/** `part ÷ whole`, 4 decimals; null when `whole` is 0 (no rate of nothing). */
export function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : round4(part / whole);
}

/**
 * The counts and their rates: fill (filled ÷ created), checkout (checkouts ÷ filled), payment (paid ÷
 * checkouts), conversion (paid ÷ created) and abandonment (1 − paid ÷ filled: filled carts that did not
 * end in a paid order). Counts of the same days, not of one cohort: a rate may exceed 1, abandonment go
 * below 0.
 */
export function funnelFigures(counts: FunnelCounts): ConversionFigures {
  const { cartsCreated, cartsFilled, checkoutsStarted, ordersPaid } = counts;
  return {
    cartsCreated,
    cartsFilled,
    checkoutsStarted,
    ordersPaid,
    fillRate: rate(cartsFilled, cartsCreated),
    checkoutRate: rate(checkoutsStarted, cartsFilled),
    paymentRate: rate(ordersPaid, checkoutsStarted),
    conversionRate: rate(ordersPaid, cartsCreated),
    abandonmentRate: cartsFilled === 0 ? null : round4(1 - ordersPaid / cartsFilled),
  };
}

function add(a: FunnelCounts, b: FunnelCounts): FunnelCounts {
  return {
    cartsCreated: a.cartsCreated + b.cartsCreated,
    cartsFilled: a.cartsFilled + b.cartsFilled,
    checkoutsStarted: a.checkoutsStarted + b.checkoutsStarted,
    ordersPaid: a.ordersPaid + b.ordersPaid,
  };
}

/**
 * The report: every day of the period in order (a day without a count at 0), and the totals' rates
 * computed from the period's summed counts (never an average of the days' rates). Days outside the
 * period are ignored.
 */
export function conversionReport(period: Period, timeZone: string, days: readonly DayCounts[]): ConversionReport {
  const byDay = new Map(days.map((d) => [d.day, d]));
  const data: ConversionReport["data"] = [];
  let totals = ZERO;
  for (let day = period.from; day <= period.to; day = addDays(day, 1)) {
    const counts = byDay.get(day) ?? ZERO;
    totals = add(totals, counts);
    data.push({ day, ...funnelFigures(counts) });
  }
  return { from: period.from, to: period.to, timeZone, data, totals: funnelFigures(totals) };
}
