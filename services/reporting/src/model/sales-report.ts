import { vatBreakdown } from "@comptoir/contracts";
import { reportingHttp } from "@comptoir/contracts/http";
import type { DailyFigures, VatAmounts } from "./contribution";
import { isoWeekOf, monthOf } from "./period";

/**
 * The sales report from the daily rollups: each (day, channel) row falls in one group of the
 * requested grouping, whose figures are the sums of its rows'. Pure: the repository reads the rows of
 * the period (a year of four channels is about 1,500 rows), this groups them.
 */

export interface DailyRow extends Pick<
  DailyFigures,
  "revenue" | "revenueExclVat" | "discounts" | "transactions" | "units" | "returns" | "refunds"
> {
  day: string;
  channel: string;
}

export interface VatRow extends VatAmounts {
  day: string;
  channel: string;
}

/** A product's lines over the period at one VAT rate, with its category (null: not known to reporting). */
export interface CategoryLineRow {
  categoryId: string | null;
  categoryName: string | null;
  vatRate: number;
  unitsSold: number;
  revenue: number;
  discounts: number;
  returns: number;
}

export const UNCATEGORIZED = "uncategorized";
export const STORES_KEY = "stores";

interface Group {
  key: string;
  label: string;
  /** Sort order among the groups. */
  order: string;
}

/** The group a channel's day falls in. */
export function groupOf(
  groupBy: Exclude<reportingHttp.SalesGroupBy, "category">,
  day: string,
  channel: string,
  storeNames: ReadonlyMap<string, string>,
): Group {
  switch (groupBy) {
    case "day":
      return { key: day, label: day, order: day };
    case "week": {
      const week = isoWeekOf(day);
      return { key: week.key, label: `week of ${week.monday}`, order: week.monday };
    }
    case "month": {
      const month = monthOf(day);
      return { key: month, label: month, order: month };
    }
    case "channel":
      return channel === reportingHttp.ONLINE_CHANNEL
        ? { key: reportingHttp.ONLINE_CHANNEL, label: "Online", order: "0" }
        : { key: STORES_KEY, label: "Stores", order: "1" };
    case "store": {
      if (channel === reportingHttp.ONLINE_CHANNEL)
        return { key: reportingHttp.ONLINE_CHANNEL, label: "Online", order: "0" };
      const name = storeNames.get(channel) ?? channel;
      return { key: channel, label: name, order: `1${name}\u0000${channel}` };
    }
  }
}

/** A group's running sums; VAT per rate. */
type Sums = Omit<reportingHttp.SalesFigures, "averageBasket" | "netRevenue" | "vat"> & { vat: Map<number, VatAmounts> };

const emptySums = (countsTransactions: boolean): Sums => ({
  revenue: 0,
  revenueExclVat: 0,
  vat: new Map(),
  transactions: countsTransactions ? 0 : null,
  units: 0,
  discounts: 0,
  returns: 0,
  refunds: 0,
});

function addVat(into: Sums, line: VatAmounts): void {
  const held = into.vat.get(line.rate);
  if (held) {
    held.base += line.base;
    held.vat += line.vat;
    held.total += line.total;
  } else {
    into.vat.set(line.rate, { rate: line.rate, base: line.base, vat: line.vat, total: line.total });
  }
}

function addSums(into: Sums, row: Omit<Sums, "vat"> & { vat?: Map<number, VatAmounts> }): void {
  into.revenue += row.revenue;
  into.revenueExclVat += row.revenueExclVat;
  for (const line of row.vat?.values() ?? []) addVat(into, line);
  if (into.transactions !== null && row.transactions !== null) into.transactions += row.transactions;
  into.units += row.units;
  into.discounts += row.discounts;
  into.returns += row.returns;
  into.refunds += row.refunds;
}

export function averageBasket(revenue: number, transactions: number): number {
  return transactions === 0 ? 0 : Math.round(revenue / transactions);
}

function figuresOf(sums: Sums): reportingHttp.SalesFigures {
  return {
    revenue: sums.revenue,
    revenueExclVat: sums.revenueExclVat,
    // A rate whose sales were all voided nets to nothing: not shown.
    vat: [...sums.vat.values()]
      .filter((v) => v.base !== 0 || v.vat !== 0 || v.total !== 0)
      .sort((a, b) => b.rate - a.rate),
    transactions: sums.transactions,
    units: sums.units,
    averageBasket: sums.transactions === null ? null : averageBasket(sums.revenue, sums.transactions),
    discounts: sums.discounts,
    returns: sums.returns,
    refunds: sums.refunds,
    netRevenue: sums.revenue - sums.returns - sums.refunds,
  };
}

function report(groups: Map<string, Group & { sums: Sums }>, countsTransactions: boolean) {
  const rows = [...groups.values()].sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
  const totals = emptySums(countsTransactions);
  for (const row of rows) addSums(totals, row.sums);
  return {
    data: rows.map((g): reportingHttp.SalesRow => ({ key: g.key, label: g.label, ...figuresOf(g.sums) })),
    totals: figuresOf(totals),
  };
}

/** Groups daily rows (and their VAT rows) by store, channel, day, week or month. */
export function salesByGroup(
  groupBy: Exclude<reportingHttp.SalesGroupBy, "category">,
  daily: readonly DailyRow[],
  vat: readonly VatRow[],
  storeNames: ReadonlyMap<string, string>,
): { data: reportingHttp.SalesRow[]; totals: reportingHttp.SalesFigures } {
  const groups = new Map<string, Group & { sums: Sums }>();
  const groupFor = (day: string, channel: string) => {
    const group = groupOf(groupBy, day, channel, storeNames);
    let entry = groups.get(group.key);
    if (!entry) {
      entry = { ...group, sums: emptySums(true) };
      groups.set(group.key, entry);
    }
    return entry;
  };
  for (const row of daily) {
    addSums(groupFor(row.day, row.channel).sums, row);
  }
  for (const row of vat) {
    addVat(groupFor(row.day, row.channel).sums, row);
  }
  return report(groups, true);
}

/**
 * Groups products' lines by category: VAT per rate is computed from each rate's total (as a receipt
 * does, once per rate), transactions are not counted (a sale spans categories), refunds are not
 * itemised (0).
 */
export function salesByCategory(lines: readonly CategoryLineRow[]): {
  data: reportingHttp.SalesRow[];
  totals: reportingHttp.SalesFigures;
} {
  const byCategory = new Map<string, { label: string; rows: CategoryLineRow[] }>();
  for (const line of lines) {
    const key = line.categoryId ?? UNCATEGORIZED;
    const entry = byCategory.get(key) ?? { label: line.categoryName ?? "Uncategorized", rows: [] };
    entry.rows.push(line);
    byCategory.set(key, entry);
  }
  const groups = new Map<string, Group & { sums: Sums }>();
  for (const [key, { label, rows }] of byCategory) {
    const vat = vatBreakdown(rows.map((r) => ({ vatRate: r.vatRate, total: r.revenue })));
    const revenue = rows.reduce((s, r) => s + r.revenue, 0);
    const sums: Sums = {
      revenue,
      revenueExclVat: revenue - vat.reduce((s, v) => s + v.vat, 0),
      vat: new Map(vat.map((v) => [v.rate, v])),
      transactions: null,
      units: rows.reduce((s, r) => s + r.unitsSold, 0),
      discounts: rows.reduce((s, r) => s + r.discounts, 0),
      returns: rows.reduce((s, r) => s + r.returns, 0),
      refunds: 0,
    };
    groups.set(key, { key, label, order: `${label}\u0000${key}`, sums });
  }
  return report(groups, false);
}
