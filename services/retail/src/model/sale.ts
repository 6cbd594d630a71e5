import { MAX_AMOUNT, type VatLine, vatBreakdown } from "@comptoir/contracts";
import { AppError, InvalidError } from "@comptoir/platform";
import { providerStepProblems, type StepProblem, type StepProblems, stepProblemOf } from "@comptoir/sagas";

/**
 * A till sale's arithmetic (issue 18), pure: lines priced from catalog (never from the till), line
 * and basket discounts, the VAT breakdown and the tenders. Amounts are integer cents, VAT included.
 */

/** A discount as a till asks for it: a percent of what it applies to (two decimals at most), or an amount. */
export type Discount = { percent: number } | { amount: number };

/** A variant as catalog prices it, with the quantity (and line discount) the till asked for. */
export interface PricedItem {
  variantId: string;
  productId: string;
  sku: string;
  name: string;
  unitPrice: number;
  vatRate: number;
  quantity: number;
  discount?: Discount;
}

export interface SaleLine {
  variantId: string;
  productId: string;
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
  vatRate: number;
  /** The line's own discount. */
  lineDiscount: number;
  /** The line's share of the basket discount (pro rata of the lines' amounts, to the cent). */
  basketDiscount: number;
  /** lineDiscount + basketDiscount. */
  discount: number;
  /** quantity × unitPrice − discount. */
  lineTotal: number;
}

export interface Pricing {
  lines: SaleLine[];
  /** Σ quantity × unitPrice. */
  subtotal: number;
  lineDiscountTotal: number;
  basketDiscountTotal: number;
  /** Every discount: the lines' and the basket's. */
  discountTotal: number;
  /** subtotal − discountTotal. */
  total: number;
  vat: VatLine[];
}

/**
 * Half up, for non-negative integers a × b / d, in bigint: a basket near MAX_AMOUNT times a rate in
 * basis points passes 2^53, where a float product would be off by a cent.
 */
const mulDivRound = (a: number, b: number, d: number) =>
  Number((2n * BigInt(a) * BigInt(b) + BigInt(d)) / (2n * BigInt(d)));

/** A percent (two decimals at most) in basis points: 12.5 → 1250. */
const basisPoints = (percent: number) => Math.round(percent * 100);

function discountOf(d: Discount | undefined, base: number, where: string): number {
  if (!d) return 0;
  if ("percent" in d) {
    if (Math.abs(d.percent * 100 - basisPoints(d.percent)) > 1e-6) {
      throw new InvalidError(
        "discount_precision",
        `The discount of ${where} (${d.percent} %) has more than two decimals.`,
        {
          errors: [{ in: "body", field: `${where}.percent`, message: "has more than two decimals" }],
        },
      );
    }
    return mulDivRound(base, basisPoints(d.percent), 10_000);
  }
  if (d.amount > base) {
    throw new InvalidError(
      "discount_exceeds_amount",
      `The discount of ${where} (${d.amount}) is more than its amount (${base}).`,
      {
        errors: [{ in: "body", field: where, message: "is more than the amount it applies to" }],
      },
    );
  }
  return d.amount;
}

/**
 * Splits `amount` over `weights` in proportion, to the cent, the parts summing exactly to `amount`
 * (largest remainders; ties go to the first).
 */
export function spread(amount: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map(() => 0);
  // In bigint: amount × weight passes 2^53 for large baskets, and the remainders must be exact.
  const big = BigInt(sum);
  const products = weights.map((w) => BigInt(amount) * BigInt(w));
  const parts = products.map((p) => Number(p / big));
  let left = amount - parts.reduce((a, b) => a + b, 0);
  const order = products
    .map((p, i) => ({ i, rest: p % big }))
    .sort((a, b) => (a.rest === b.rest ? a.i - b.i : a.rest < b.rest ? 1 : -1));
  for (const { i } of order) {
    if (left === 0) break;
    parts[i]! += 1;
    left -= 1;
  }
  return parts;
}

/** Prices a sale: each line's discount, then the basket's, spread over the lines for the VAT. */
export function priceSale(items: readonly PricedItem[], basket?: Discount): Pricing {
  const gross = items.map((i) => i.quantity * i.unitPrice);
  const lineDiscounts = items.map((item, i) => discountOf(item.discount, gross[i]!, `lines.${i}.discount`));
  const net = gross.map((g, i) => g - lineDiscounts[i]!);
  const netTotal = net.reduce((a, b) => a + b, 0);
  const basketDiscountTotal = discountOf(basket, netTotal, "discount");
  const shares = spread(basketDiscountTotal, net);
  const lines = items.map((item, i): SaleLine => {
    const discount = lineDiscounts[i]! + shares[i]!;
    return {
      variantId: item.variantId,
      productId: item.productId,
      sku: item.sku,
      name: item.name,
      quantity: item.quantity,
      unitPrice: item.unitPrice,
      vatRate: item.vatRate,
      lineDiscount: lineDiscounts[i]!,
      basketDiscount: shares[i]!,
      discount,
      lineTotal: gross[i]! - discount,
    };
  });
  const subtotal = gross.reduce((a, b) => a + b, 0);
  const lineDiscountTotal = lineDiscounts.reduce((a, b) => a + b, 0);
  const discountTotal = lineDiscountTotal + basketDiscountTotal;
  return {
    lines,
    subtotal,
    lineDiscountTotal,
    basketDiscountTotal,
    discountTotal,
    total: subtotal - discountTotal,
    vat: vatBreakdown(lines.map((l) => ({ vatRate: l.vatRate, total: l.lineTotal }))),
  };
}

/**
 * The discounts above `maxPercent` of what they apply to (a line's amount, or the basket's after the
 * lines' discounts), as field paths; empty when every discount is within the cashier's limit.
 */
export function discountsAboveLimit(pricing: Pricing, maxPercent: number): string[] {
  const limit = BigInt(basisPoints(maxPercent));
  const above = (discount: number, base: number) => base > 0 && BigInt(discount) * 10_000n > limit * BigInt(base);
  const fields = pricing.lines.flatMap((l, i) =>
    above(l.lineDiscount, l.quantity * l.unitPrice) ? [`lines.${i}.discount`] : [],
  );
  if (above(pricing.basketDiscountTotal, pricing.subtotal - pricing.lineDiscountTotal)) fields.push("discount");
  return fields;
}

/** 403 discount_not_allowed unless the cashier may give any discount (sales:discount). */
export function assertDiscountsAllowed(pricing: Pricing, maxPercent: number, mayDiscount: boolean): void {
  if (mayDiscount) return;
  const fields = discountsAboveLimit(pricing, maxPercent);
  if (fields.length > 0) {
    throw new AppError("discount_not_allowed", 403, "Forbidden", {
      detail: `A discount above ${maxPercent} % needs a manager (sales:discount): ${fields.join(", ")}.`,
      extensions: { fields, maxDiscountPercent: maxPercent },
    });
  }
}

export type TenderMethod = "cash" | "card" | "store_credit";

/** A tender as the till sends it (a card's details are handled apart: they never reach this model). */
export type TenderInput =
  | { method: "cash"; amount: number }
  | { method: "card"; amount: number }
  | { method: "store_credit"; amount: number; code: string };

export interface Settlement {
  /** What the customer handed over in cash. */
  cashTendered: number;
  /** The change due, from cash only. */
  change: number;
  /** Card and store credit: what is not cash. */
  nonCash: number;
}

/**
 * Checks that the tenders pay the total: card and store credit may not pay more than the total
 * (400 tender_exceeds_total: change is given from cash only), and everything together must cover
 * it (400 tender_insufficient with `missing`). The change is the cash handed over beyond the rest.
 */
export function settle(total: number, tenders: readonly TenderInput[]): Settlement {
  const sum = (method: TenderMethod) => tenders.filter((t) => t.method === method).reduce((a, t) => a + t.amount, 0);
  const cashTendered = sum("cash");
  const nonCash = sum("card") + sum("store_credit");
  if (cashTendered > MAX_AMOUNT) {
    // Every amount a sale records (the cash handed over, the change) stays an Amount: a sale whose
    // change could not be recorded would fail after its stock left and its cards were charged.
    throw new InvalidError(
      "tender_exceeds_max",
      `The cash handed over (${cashTendered}) is more than any amount a sale records (${MAX_AMOUNT}).`,
      { errors: [{ in: "body", field: "tenders", message: `cash tenders add up to more than ${MAX_AMOUNT}` }] },
    );
  }
  if (nonCash > total) {
    throw new InvalidError(
      "tender_exceeds_total",
      `Card and store credit tenders (${nonCash}) may not exceed the total (${total}); change is given from cash only.`,
      { errors: [{ in: "body", field: "tenders", message: "card and store credit exceed the total" }] },
    );
  }
  const missing = total - nonCash - cashTendered;
  if (missing > 0) {
    throw new InvalidError("tender_insufficient", `The tenders do not cover the total: ${missing} is missing.`, {
      errors: [{ in: "body", field: "tenders", message: `${missing} is missing` }],
      extensions: { missing, total },
    });
  }
  return { cashTendered, change: -missing, nonCash };
}

/** What a sale's tender became, as recorded (a card by its last four digits and its payment). */
export interface RecordedTender {
  method: TenderMethod;
  amount: number;
  paymentId?: string;
  last4?: string;
  code?: string;
}

/** Each tender's part of the money kept: cash net of the change, card and store credit as they are. */
export function keptByTender(tenders: readonly RecordedTender[], change: number): RecordedTender[] {
  let changeLeft = change;
  return tenders.map((t) => {
    if (t.method !== "cash" || changeLeft === 0) return t;
    const back = Math.min(changeLeft, t.amount);
    changeLeft -= back;
    return { ...t, amount: t.amount - back };
  });
}

/** The receipt number of a store's `seq`-th document: `<store code>-<kind letter><6 digits>`. */
export function receiptNumberOf(storeCode: string, kind: "sale" | "return", seq: number): string {
  return `${receiptPrefixOf(storeCode, kind)}${String(seq).padStart(6, "0")}`;
}

/** What a store's receipt numbers of `kind` start with (the number follows, at least 6 digits). */
export function receiptPrefixOf(storeCode: string, kind: "sale" | "return"): string {
  return `${storeCode}-${kind === "sale" ? "" : "R"}`;
}

const NOTHING_KEPT = "No sale was recorded, no stock moved and nothing was charged.";
const conflict = (f: { message: string }): StepProblem => ({ status: 409, title: "Conflict", detail: f.message });

/** Retail's public problem for each step failure of a sale, a return or a void (its code is the step's unless it names another). */
const PROBLEMS: StepProblems = {
  ...providerStepProblems({
    declined: NOTHING_KEPT,
    providerFailed: NOTHING_KEPT,
    outOfStock: `The store does not hold the quantities asked for. ${NOTHING_KEPT}`,
    noAnswer: (message) => `The operation could not be completed: ${message}.`,
  }),
  register_not_open: conflict,
  store_credit_insufficient: conflict,
  sale_interrupted: conflict,
  reservation_expired: conflict,
};

/** The problem document a failed sale (return, void) answers, and answers again to a replay of its key. */
export function problemOf(
  failure: { step: string; code: string; message: string; details: Record<string, unknown> | null } | null,
  reason: string,
): Record<string, unknown> {
  return (
    (failure && stepProblemOf(failure, PROBLEMS)) ?? {
      status: 409,
      code: failure?.code && failure.code !== "refused" ? failure.code : "sale_failed",
      title: "Conflict",
      detail: `The operation could not be completed (${reason}).`,
    }
  );
}
