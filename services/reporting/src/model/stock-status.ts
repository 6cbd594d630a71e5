import type { reportingStockHttp } from "@comptoir/contracts/http";

/*
 * Stock status of one (variant, location), as the stock report shows it (issue 20):
 *   out        nothing available (available ≤ 0);
 *   low        available at or under the low-stock threshold inventory set (its alert rule);
 *   overstock  more than `overstockDays` days of cover at the last 28 days' pace;
 *   ok         anything else, a variant that sold nothing in 28 days included (no cover to judge).
 * The report filters and pages by status in SQL: `stock_status` (migration 010, db/stock.repo.ts reads it)
 * is this same rule, and the component tests check the two agree.
 */

/** The window the selling pace is measured over, in days (today included). */
export const COVER_WINDOW_DAYS = 28;
/** Default of REPORTING_OVERSTOCK_DAYS: more days of cover than this is overstock. */
export const DEFAULT_OVERSTOCK_DAYS = 90;

export type StockStatus = reportingStockHttp.StockStatus;

export interface StockFigures {
  available: number;
  /** The (variant, location) low-stock threshold; null when none is set. */
  lowStockThreshold: number | null;
  /** Units sold over the last COVER_WINDOW_DAYS days on the location's channel. */
  unitsSold: number;
}

/** Units sold per day over the window. */
export function dailySales(unitsSold: number): number {
  return Math.max(0, unitsSold) / COVER_WINDOW_DAYS;
}

/**
 * How many days what is available lasts at the window's pace: available ÷ (units sold ÷ 28); null when
 * nothing sold (no pace), 0 when nothing is available.
 */
export function daysOfCover(available: number, unitsSold: number): number | null {
  if (unitsSold <= 0) return null;
  return (Math.max(0, available) * COVER_WINDOW_DAYS) / unitsSold;
}

export function stockStatus(figures: StockFigures, overstockDays: number = DEFAULT_OVERSTOCK_DAYS): StockStatus {
  if (figures.available <= 0) return "out";
  if (figures.lowStockThreshold !== null && figures.available <= figures.lowStockThreshold) return "low";
  const cover = daysOfCover(figures.available, figures.unitsSold);
  if (cover !== null && cover > overstockDays) return "overstock";
  return "ok";
}

/** Days of cover as the report shows them: one decimal (the status is computed before rounding). */
export function roundCover(cover: number | null): number | null {
  return cover === null ? null : Math.round(cover * 10) / 10;
}
