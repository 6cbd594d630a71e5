import { type VatLine, vatBreakdown } from "@comptoir/contracts";
import { ConflictError } from "@comptoir/platform";
import type { RecordedTender, SaleLine, TenderMethod } from "./sale";

/** A returned line: what the customer gets back for it, at the price (and discounts) it was sold at. */
export interface ReturnLine {
  variantId: string;
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
  vatRate: number;
  /** What is refunded for these units (their share of the sold line's total, to the cent). */
  lineTotal: number;
}

export interface Remaining {
  variantId: string;
  sold: number;
  returned: number;
  remaining: number;
}

/** Per variant of a sale: sold, already returned (or being returned) and what may still come back. */
export function remainingOf(
  sold: readonly SaleLine[],
  returned: readonly { variantId: string; quantity: number }[],
): Remaining[] {
  const byVariant = new Map<string, Remaining>();
  for (const line of sold) {
    const r = byVariant.get(line.variantId) ?? { variantId: line.variantId, sold: 0, returned: 0, remaining: 0 };
    r.sold += line.quantity;
    byVariant.set(line.variantId, r);
  }
  for (const line of returned) {
    const r = byVariant.get(line.variantId);
    if (r) r.returned += line.quantity;
  }
  return [...byVariant.values()].map((r) => ({ ...r, remaining: r.sold - r.returned }));
}

/**
 * The lines of a return with receipt, priced at what the units were sold for: the k-th of n units of
 * a line is worth round(lineTotal × k / n) − round(lineTotal × (k − 1) / n), so that returning a whole
 * line, in one go or in several, gives back exactly its total. 409 return_exceeds_sold with the
 * remaining quantities when a variant was not sold, or not that many times.
 */
export function priceReturn(
  sold: readonly SaleLine[],
  alreadyReturned: readonly { variantId: string; quantity: number }[],
  asked: readonly { variantId: string; quantity: number }[],
): ReturnLine[] {
  const remaining = remainingOf(sold, alreadyReturned);
  const askedByVariant = new Map<string, number>();
  for (const a of asked) askedByVariant.set(a.variantId, (askedByVariant.get(a.variantId) ?? 0) + a.quantity);
  const over = [...askedByVariant].filter(([variantId, q]) => {
    const r = remaining.find((x) => x.variantId === variantId);
    return !r || q > r.remaining;
  });
  if (over.length > 0) {
    throw new ConflictError("return_exceeds_sold", "More is being returned than was sold and not yet returned.", {
      extensions: {
        remaining: remaining.map(({ variantId, remaining: quantity }) => ({ variantId, quantity })),
        asked: over.map(([variantId, quantity]) => ({ variantId, quantity })),
      },
    });
  }
  const back = new Map(remaining.map((r) => [r.variantId, r.returned]));
  const lines: ReturnLine[] = [];
  for (const [variantId, quantity] of askedByVariant) {
    // A variant may be on several lines of the sale: take the units from the first lines first.
    let toReturn = quantity;
    let before = back.get(variantId)!;
    for (const line of sold.filter((l) => l.variantId === variantId)) {
      if (toReturn === 0) break;
      const alreadyFromLine = Math.min(before, line.quantity);
      before -= alreadyFromLine;
      const here = Math.min(toReturn, line.quantity - alreadyFromLine);
      if (here === 0) continue;
      const worth = (k: number) => Math.floor((2 * line.lineTotal * k + line.quantity) / (2 * line.quantity));
      lines.push({
        variantId,
        productId: line.productId,
        sku: line.sku,
        name: line.name,
        quantity: here,
        unitPrice: line.unitPrice,
        vatRate: line.vatRate,
        lineTotal: worth(alreadyFromLine + here) - worth(alreadyFromLine),
      });
      toReturn -= here;
    }
  }
  return lines;
}

export function returnVat(lines: readonly ReturnLine[]): VatLine[] {
  return vatBreakdown(lines.map((l) => ({ vatRate: l.vatRate, total: l.lineTotal })));
}

/** A refund as recorded: by which tender, how much, and the payment (card) or code (store credit). */
export interface Refund {
  method: TenderMethod;
  amount: number;
  paymentId?: string;
  code?: string;
}

/**
 * How `amount` is given back by the sale's own tenders: the cards first (each up to what it paid less
 * what was refunded on it already), then store credit (back on its code), then cash for the rest.
 * `kept` is what each tender kept (cash net of change: see `keptByTender`).
 */
export function allocateRefund(amount: number, kept: readonly RecordedTender[], refunded: readonly Refund[]): Refund[] {
  const out: Refund[] = [];
  let left = amount;
  const already = (t: RecordedTender) =>
    refunded
      .filter((r) => r.method === t.method && r.paymentId === t.paymentId && r.code === t.code)
      .reduce((a, r) => a + r.amount, 0);
  for (const method of ["card", "store_credit"] as const) {
    for (const t of kept.filter((x) => x.method === method)) {
      const room = t.amount - already(t);
      const take = Math.min(room, left);
      if (take <= 0) continue;
      out.push({
        method,
        amount: take,
        ...(t.paymentId ? { paymentId: t.paymentId } : {}),
        ...(t.code ? { code: t.code } : {}),
      });
      left -= take;
    }
  }
  if (left > 0) out.push({ method: "cash", amount: left });
  return out;
}
