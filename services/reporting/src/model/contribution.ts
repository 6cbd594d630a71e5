import { DEFAULT_VAT_RATE, type EventData, vatBreakdown } from "@comptoir/contracts";
import { reportingHttp } from "@comptoir/contracts/http";
import { localSlot } from "./local-time";

/**
 * What one event adds to the sales rollups: a delta of each figure of one channel's day (and hour),
 * per VAT rate, per variant and per product. Pure: built from an event's data alone, applied by the
 * repository as atomic additions, and negated to take a voided sale back out.
 */

/** The figures of one channel's day (sales_daily's columns). */
export interface DailyFigures {
  revenue: number;
  revenueExclVat: number;
  vat: number;
  discounts: number;
  transactions: number;
  units: number;
  returns: number;
  returnsCount: number;
  unitsReturned: number;
  refunds: number;
  refundsCount: number;
  voids: number;
  voidsCount: number;
  cashVariance: number;
  closings: number;
}

export const DAILY_FIGURES: readonly (keyof DailyFigures)[] = [
  "revenue",
  "revenueExclVat",
  "vat",
  "discounts",
  "transactions",
  "units",
  "returns",
  "returnsCount",
  "unitsReturned",
  "refunds",
  "refundsCount",
  "voids",
  "voidsCount",
  "cashVariance",
  "closings",
];

export function zeroFigures(): DailyFigures {
  return Object.fromEntries(DAILY_FIGURES.map((f) => [f, 0])) as unknown as DailyFigures;
}

export interface VatAmounts {
  rate: number;
  base: number;
  vat: number;
  total: number;
}

export interface VariantDelta {
  variantId: string;
  productId: string;
  unitsSold: number;
  unitsReturned: number;
  revenue: number;
}

export interface ProductDelta {
  productId: string;
  vatRate: number;
  unitsSold: number;
  unitsReturned: number;
  revenue: number;
  discounts: number;
  returns: number;
}

export interface Contribution {
  /** `online` or the store's id. */
  channel: string;
  day: string;
  hour: number;
  daily: DailyFigures;
  /** Per rate, one entry each, highest rate first. */
  vat: VatAmounts[];
  /** The hour's sales (absent when the event is no sale). */
  hourly: { revenue: number; transactions: number } | null;
  /** Sorted by variant id (the order rows are locked in). */
  variants: VariantDelta[];
  /** Sorted by product id, then rate. */
  products: ProductDelta[];
  /** The lines' names, for a product catalog has not described yet. */
  productNames: { productId: string; name: string }[];
}

type Line = {
  variantId: string;
  productId: string;
  name: string;
  quantity: number;
  vatRate: number;
  /** VAT included, discount taken off. */
  total: number;
  discount?: number;
};

function contribution(
  channel: string,
  slot: { day: string; hour: number },
  daily: Partial<DailyFigures>,
  options: { vat?: VatAmounts[]; hourly?: Contribution["hourly"]; sold?: Line[]; returned?: Line[] } = {},
): Contribution {
  const variants = new Map<string, VariantDelta>();
  const products = new Map<string, ProductDelta>();
  const names = new Map<string, string>();
  const add = (line: Line, sold: boolean, discount: number) => {
    const variant = variants.get(line.variantId) ?? {
      variantId: line.variantId,
      productId: line.productId,
      unitsSold: 0,
      unitsReturned: 0,
      revenue: 0,
    };
    const productKey = `${line.productId}/${line.vatRate}`;
    const product = products.get(productKey) ?? {
      productId: line.productId,
      vatRate: line.vatRate,
      unitsSold: 0,
      unitsReturned: 0,
      revenue: 0,
      discounts: 0,
      returns: 0,
    };
    if (sold) {
      variant.unitsSold += line.quantity;
      variant.revenue += line.total;
      product.unitsSold += line.quantity;
      product.revenue += line.total;
      product.discounts += discount;
    } else {
      variant.unitsReturned += line.quantity;
      product.unitsReturned += line.quantity;
      product.returns += line.total;
    }
    variants.set(line.variantId, variant);
    products.set(productKey, product);
    if (!names.has(line.productId)) names.set(line.productId, line.name);
  };
  for (const line of options.sold ?? []) add(line, true, line.discount ?? 0);
  for (const line of options.returned ?? []) add(line, false, 0);
  return {
    channel,
    day: slot.day,
    hour: slot.hour,
    daily: { ...zeroFigures(), ...daily },
    vat: mergeVat(options.vat ?? []),
    hourly: options.hourly ?? null,
    variants: [...variants.values()].sort((a, b) => compare(a.variantId, b.variantId)),
    products: [...products.values()].sort((a, b) => compare(a.productId, b.productId) || a.vatRate - b.vatRate),
    productNames: [...names].map(([productId, name]) => ({ productId, name })),
  };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One entry per rate (summed), highest rate first. */
export function mergeVat(lines: readonly VatAmounts[]): VatAmounts[] {
  const byRate = new Map<number, VatAmounts>();
  for (const line of lines) {
    const into = byRate.get(line.rate) ?? { rate: line.rate, base: 0, vat: 0, total: 0 };
    into.base += line.base;
    into.vat += line.vat;
    into.total += line.total;
    byRate.set(line.rate, into);
  }
  return [...byRate.values()].sort((a, b) => b.rate - a.rate);
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/** A sale's figures from its total and VAT: excl. VAT = total − Σ VAT. */
function saleFigures(total: number, vat: readonly VatAmounts[], units: number, discounts: number) {
  const vatTotal = sum(vat.map((v) => v.vat));
  return {
    revenue: total,
    revenueExclVat: total - vatTotal,
    vat: vatTotal,
    discounts,
    transactions: 1,
    units,
  };
}

/**
 * `orders.order.paid`: a sale of the online channel on the local day and hour of `occurredAt` (the
 * payment's capture). Revenue is the order's total, shipping included; without a VAT breakdown
 * (events from before orders kept VAT), one 20 % line computed from the total.
 */
export function onlineSale(data: EventData<"orders.order.paid">, occurredAt: string, timeZone: string): Contribution {
  const total = data.totals.total;
  const vat = data.vat ?? vatBreakdown([{ vatRate: DEFAULT_VAT_RATE, total }]);
  const lines: Line[] = data.lines.map((l) => ({
    variantId: l.variantId,
    productId: l.productId,
    name: l.name,
    quantity: l.quantity,
    vatRate: l.vatRate ?? DEFAULT_VAT_RATE,
    total: l.quantity * l.unitPrice,
  }));
  const units = sum(lines.map((l) => l.quantity));
  return contribution(
    reportingHttp.ONLINE_CHANNEL,
    localSlot(occurredAt, timeZone),
    saleFigures(total, vat, units, 0),
    {
      vat,
      hourly: { revenue: total, transactions: 1 },
      sold: lines,
    },
  );
}

/** `orders.order.refunded`: what was given back, on the refund's local day. */
export function onlineRefund(
  data: EventData<"orders.order.refunded">,
  occurredAt: string,
  timeZone: string,
): Contribution {
  return contribution(reportingHttp.ONLINE_CHANNEL, localSlot(occurredAt, timeZone), {
    refunds: data.refundedAmount,
    refundsCount: 1,
  });
}

/** `retail.sale.completed`: a sale of the store's channel on its local day and hour. */
export function storeSale(data: EventData<"retail.sale.completed">): Contribution {
  const lines = data.lines.map((l) => ({ ...l, total: l.lineTotal }));
  const units = sum(lines.map((l) => l.quantity));
  return contribution(
    data.store.id,
    localSlot(data.occurredAt, data.store.timezone),
    saleFigures(data.total, data.vat, units, data.discountTotal),
    { vat: data.vat, hourly: { revenue: data.total, transactions: 1 }, sold: lines },
  );
}

/** `retail.sale.returned`: what was given back and the units back in store, on the return's day. */
export function storeReturn(data: EventData<"retail.sale.returned">): Contribution {
  const lines = data.lines.map((l) => ({ ...l, total: l.lineTotal }));
  return contribution(
    data.store.id,
    localSlot(data.occurredAt, data.store.timezone),
    { returns: data.total, returnsCount: 1, unitsReturned: sum(lines.map((l) => l.quantity)) },
    { returned: lines },
  );
}

/** `retail.register.closed`: the cash variance, on the closing's local day. */
export function registerClosing(data: EventData<"retail.register.closed">): Contribution {
  return contribution(data.store.id, localSlot(data.closedAt, data.store.timezone), {
    cashVariance: data.variance,
    closings: 1,
  });
}

/**
 * A voided sale: the sale's own contribution taken back out (on the sale's day and hour), and its
 * total counted among the voids.
 */
export function voidOf(sale: Contribution): Contribution {
  const daily = negate(sale.daily);
  return {
    ...sale,
    daily: { ...daily, voids: sale.daily.revenue, voidsCount: 1 },
    vat: sale.vat.map(negate),
    hourly: sale.hourly && negate(sale.hourly),
    variants: sale.variants.map(negate),
    products: sale.products.map(negate),
    productNames: [],
  };
}

/** Every amount and count of `o` negated; rates and ids kept. */
function negate<T extends object>(o: T): T {
  return Object.fromEntries(
    Object.entries(o).map(([k, v]) => [k, typeof v === "number" && k !== "rate" && k !== "vatRate" ? -v : v]),
  ) as T;
}

/** Only the voids of a sale voided before it arrived: the sale itself adds nothing. */
export function voidsOnly(sale: Contribution): Contribution {
  return contribution(sale.channel, sale, { voids: sale.daily.revenue, voidsCount: 1 });
}
