import {
  type Contribution,
  DAILY_FIGURES,
  type DailyFigures,
  type ProductDelta,
  type VariantDelta,
  type VatAmounts,
  zeroFigures,
} from "./contribution";

/**
 * Many contributions summed into the rows they add to, one row per key of each rollup table: what a
 * batch of events adds in one statement (rollups.repo addRows). Pure. Each table's rows come sorted by
 * key, the order rows are locked in, and no key twice (one `INSERT … ON CONFLICT DO UPDATE` may not
 * touch a row twice).
 */

export interface DayRow {
  day: string;
  channel: string;
  figures: DailyFigures;
}
export interface VatRow extends VatAmounts {
  day: string;
  channel: string;
}
export interface HourRow {
  day: string;
  channel: string;
  hour: number;
  revenue: number;
  transactions: number;
}
export interface VariantRow extends VariantDelta {
  day: string;
  channel: string;
}
export interface ProductRow extends ProductDelta {
  /** The day (sales_product_daily) or the month's first day (sales_product_monthly). */
  period: string;
  channel: string;
}

export interface FoldedRows {
  days: DayRow[];
  vat: VatRow[];
  /** The days' sums by month (`day`: the month's first day). */
  months: DayRow[];
  monthsVat: VatRow[];
  monthsHours: HourRow[];
  hours: HourRow[];
  variants: VariantRow[];
  productDays: ProductRow[];
  productMonths: ProductRow[];
  /** The lines' names, one per product (the first seen), for products catalog has not described yet. */
  productNames: { productId: string; name: string }[];
}

/** Adds `from`'s numeric fields named in `fields` to `into`'s. */
function addFields<T>(into: T, from: T, fields: readonly (keyof T)[]): void {
  for (const f of fields) (into[f] as number) += from[f] as number;
}

/** A map of rows by key, each row the sum of what was added under its key. */
class Sums<T> {
  private readonly rows = new Map<string, T>();
  constructor(private readonly fields: readonly (keyof T)[]) {}
  add(key: string, row: T): void {
    const existing = this.rows.get(key);
    if (existing) addFields(existing, row, this.fields);
    else this.rows.set(key, { ...row });
  }
  sorted(): T[] {
    return [...this.rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
  }
}

/** A whole number as a key's part that sorts as the number does (rates in basis points, hours). */
const padded = (n: number) => String(n).padStart(6, "0");

/** Day rows (or month rows) by key, each with the sum of the figures added under its key. */
class FigureSums {
  private readonly rows = new Sums<DayRow>([]);
  private readonly figures = new Map<string, DailyFigures>();
  add(key: string, day: string, channel: string, figures: DailyFigures): void {
    let sum = this.figures.get(key);
    if (!sum) {
      sum = zeroFigures();
      this.figures.set(key, sum);
      this.rows.add(key, { day, channel, figures: sum });
    }
    addFields(sum, figures, DAILY_FIGURES);
  }
  sorted(): DayRow[] {
    return this.rows.sorted();
  }
}

const VAT_FIELDS = ["base", "vat", "total"] as const;
const HOUR_FIELDS = ["revenue", "transactions"] as const;
const PRODUCT_FIELDS = ["unitsSold", "unitsReturned", "revenue", "discounts", "returns"] as const;

export function foldContributions(contributions: readonly Contribution[]): FoldedRows {
  const days = new FigureSums();
  const months = new FigureSums();
  const vat = new Sums<VatRow>(VAT_FIELDS);
  const monthsVat = new Sums<VatRow>(VAT_FIELDS);
  const hours = new Sums<HourRow>(HOUR_FIELDS);
  const monthsHours = new Sums<HourRow>(HOUR_FIELDS);
  const variants = new Sums<VariantRow>(["unitsSold", "unitsReturned", "revenue"]);
  const productDays = new Sums<ProductRow>(PRODUCT_FIELDS);
  const productMonths = new Sums<ProductRow>(PRODUCT_FIELDS);
  const names = new Map<string, string>();
  for (const c of contributions) {
    const at = `${c.day}|${c.channel}`;
    const month = `${c.day.slice(0, 7)}-01`;
    const monthAt = `${month}|${c.channel}`;
    days.add(at, c.day, c.channel, c.daily);
    months.add(monthAt, month, c.channel, c.daily);
    for (const v of c.vat) {
      vat.add(`${at}|${padded(v.rate)}`, { day: c.day, channel: c.channel, ...v });
      monthsVat.add(`${monthAt}|${padded(v.rate)}`, { day: month, channel: c.channel, ...v });
    }
    if (c.hourly) {
      hours.add(`${at}|${padded(c.hour)}`, { day: c.day, channel: c.channel, hour: c.hour, ...c.hourly });
      monthsHours.add(`${monthAt}|${padded(c.hour)}`, { day: month, channel: c.channel, hour: c.hour, ...c.hourly });
    }
    for (const v of c.variants) variants.add(`${at}|${v.variantId}`, { day: c.day, channel: c.channel, ...v });
    for (const p of c.products) {
      const { productId, vatRate, unitsSold, unitsReturned, revenue, discounts, returns } = p;
      const row = { channel: c.channel, productId, vatRate, unitsSold, unitsReturned, revenue, discounts, returns };
      const rate = padded(vatRate);
      productDays.add(`${at}|${productId}|${rate}`, { period: c.day, ...row });
      productMonths.add(`${month}|${c.channel}|${productId}|${rate}`, { period: month, ...row });
    }
    for (const n of c.productNames) if (!names.has(n.productId)) names.set(n.productId, n.name);
  }
  return {
    days: days.sorted(),
    vat: vat.sorted(),
    months: months.sorted(),
    monthsVat: monthsVat.sorted(),
    monthsHours: monthsHours.sorted(),
    hours: hours.sorted(),
    variants: variants.sorted(),
    productDays: productDays.sorted(),
    productMonths: productMonths.sorted(),
    productNames: [...names.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([productId, name]) => ({ productId, name })),
  };
}
