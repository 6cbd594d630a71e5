import type { Discount, LocalReceipt, LocalVariant, SaleBody } from "./db";

/**
 * The till's own arithmetic, as retail prices a sale (services/retail/src/model/sale.ts): each
 * line's discount, then the basket's spread over the lines pro rata (largest remainders), VAT
 * included and split per rate. The platform prices every sale again from catalog; this is what the
 * screen shows before paying, and what an offline receipt prints.
 */

export interface BasketLine {
  /** A key of the line on this screen. */
  key: string;
  variant: LocalVariant;
  quantity: number;
  discount?: Discount;
}

export interface Priced {
  lines: { gross: number; discount: number; total: number }[];
  subtotal: number;
  discountTotal: number;
  basketDiscount: number;
  total: number;
  vat: { rate: number; base: number; vat: number; total: number }[];
}

/** a × b / d rounded half up (non-negative integers). */
const mulDivRound = (a: number, b: number, d: number) => Math.floor((2 * a * b + d) / (2 * d));

export function discountOf(discount: Discount | undefined, base: number): number {
  if (!discount) return 0;
  if ("percent" in discount) return mulDivRound(base, Math.round(discount.percent * 100), 10_000);
  return Math.min(discount.amount, base);
}

/** `amount` split over `weights` in proportion, the parts summing to it (largest remainders, ties to the first). */
function spread(amount: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map(() => 0);
  const parts = weights.map((w) => Math.floor((amount * w) / sum));
  let left = amount - parts.reduce((a, b) => a + b, 0);
  const order = weights
    .map((w, i) => ({ i, rest: (amount * w) % sum }))
    .sort((a, b) => (a.rest === b.rest ? a.i - b.i : b.rest - a.rest));
  for (const { i } of order) {
    if (left === 0) break;
    parts[i]! += 1;
    left -= 1;
  }
  return parts;
}

export function price(lines: BasketLine[], basket?: Discount): Priced {
  const gross = lines.map((l) => l.quantity * l.variant.price);
  const lineDiscounts = lines.map((l, i) => discountOf(l.discount, gross[i]!));
  const net = gross.map((g, i) => g - lineDiscounts[i]!);
  const basketDiscount = discountOf(
    basket,
    net.reduce((a, b) => a + b, 0),
  );
  const shares = spread(basketDiscount, net);
  const priced = lines.map((_, i) => {
    const discount = lineDiscounts[i]! + shares[i]!;
    return { gross: gross[i]!, discount, total: gross[i]! - discount };
  });
  const subtotal = gross.reduce((a, b) => a + b, 0);
  const discountTotal = priced.reduce((a, l) => a + l.discount, 0);
  const byRate = new Map<number, number>();
  lines.forEach((l, i) => byRate.set(l.variant.vatRate, (byRate.get(l.variant.vatRate) ?? 0) + priced[i]!.total));
  const vat = [...byRate]
    .sort(([a], [b]) => b - a)
    .map(([rate, total]) => {
      const base = Math.floor((total * 20_000 + 10_000 + rate) / (2 * (10_000 + rate)));
      return { rate, base, vat: total - base, total };
    });
  return { lines: priced, subtotal, discountTotal, basketDiscount, total: subtotal - discountTotal, vat };
}

/** The body of POST /api/retail/sales for this basket (lines by variant id). */
export function saleBody(
  id: string,
  registerId: string,
  lines: BasketLine[],
  basket: Discount | undefined,
  tenders: SaleBody["tenders"],
): SaleBody {
  return {
    id,
    registerId,
    lines: lines.map((l) => ({
      variantId: l.variant.id,
      quantity: l.quantity,
      ...(l.discount ? { discount: l.discount } : {}),
    })),
    ...(basket ? { discount: basket } : {}),
    tenders,
  };
}

/** The receipt the till prints from its own figures (a sale not yet registered). */
export function localReceipt(body: SaleBody, lines: BasketLine[], priced: Priced): LocalReceipt {
  const cash = body.tenders.filter((t) => t.method === "cash").reduce((a, t) => a + t.amount, 0);
  const other = body.tenders.filter((t) => t.method !== "cash").reduce((a, t) => a + t.amount, 0);
  return {
    saleId: body.id,
    date: new Date().toISOString(),
    lines: lines.map((l, i) => ({
      name: l.variant.name,
      sku: l.variant.sku,
      quantity: l.quantity,
      unitPrice: l.variant.price,
      discount: priced.lines[i]!.discount,
      lineTotal: priced.lines[i]!.total,
    })),
    subtotal: priced.subtotal,
    discountTotal: priced.discountTotal,
    total: priced.total,
    vat: priced.vat,
    tenders: body.tenders.map((t) => ({ method: t.method, amount: t.amount })),
    change: Math.max(0, cash + other - priced.total),
    currency: lines[0]?.variant.currency ?? "EUR",
  };
}

/** The largest percent a clerk may give (RETAIL_MAX_DISCOUNT_PERCENT's default): the till warns offline, where no manager can approve. */
export const CLERK_DISCOUNT_LIMIT = 10;

/** Does the basket hold a discount above the clerk's limit (as retail measures it)? */
export function aboveLimit(lines: BasketLine[], basket: Discount | undefined, priced: Priced): boolean {
  const above = (discount: number, base: number) => base > 0 && discount * 100 > CLERK_DISCOUNT_LIMIT * base;
  const lineDiscounts = lines.map((l, i) => discountOf(l.discount, priced.lines[i]!.gross));
  if (lines.some((_, i) => above(lineDiscounts[i]!, priced.lines[i]!.gross))) return true;
  const afterLines = priced.subtotal - lineDiscounts.reduce((a, b) => a + b, 0);
  return basket !== undefined && above(priced.basketDiscount, afterLines);
}
