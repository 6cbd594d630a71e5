import { type Static, Type } from "typebox";
import { Amount } from "./money";

/**
 * VAT (French rates; prices include VAT). A rate is in basis points, hundredths of a percent, so that
 * every computation stays in integers: 2000 = 20 %, 1000 = 10 %, 550 = 5.5 %, 210 = 2.1 %.
 */
export const VAT_RATES = [2000, 1000, 550, 210] as const;
export type VatRateValue = (typeof VAT_RATES)[number];
/** The rate of a product that names none: 20 %. */
export const DEFAULT_VAT_RATE: VatRateValue = 2000;

export const VatRate = Type.Union([Type.Literal(2000), Type.Literal(1000), Type.Literal(550), Type.Literal(210)], {
  description: "VAT rate in basis points: 2000 = 20 %, 1000 = 10 %, 550 = 5.5 %, 210 = 2.1 %",
});

/** One rate of a VAT breakdown: total (VAT included) = base + vat. */
export const VatLine = Type.Object({
  rate: VatRate,
  /** Excluding VAT. */
  base: Amount,
  vat: Amount,
  /** Including VAT: what the lines at this rate came to. */
  total: Amount,
});
export type VatLine = Static<typeof VatLine>;

/**
 * The VAT breakdown of amounts that include VAT, per rate (highest rate first): each rate's total is
 * the sum of its lines, its base is that total / (1 + rate) rounded half up to the cent, computed once
 * per rate (not per line, so that the receipt's table adds up), and its VAT the difference.
 *
 * A rate whose lines net to a negative total (a refund, a return) is rounded as its opposite and
 * negated (half away from zero), so that the breakdown of a refund mirrors the sale's exactly:
 * vatBreakdown(-x) = -vatBreakdown(x). Such rows fall outside VatLine's schema (amounts ≥ 0): the
 * caller shows them as it sees fit.
 */
export function vatBreakdown(lines: readonly { vatRate: number; total: number }[]): VatLine[] {
  const totals = new Map<number, number>();
  for (const line of lines) totals.set(line.vatRate, (totals.get(line.vatRate) ?? 0) + line.total);
  return [...totals]
    .sort(([a], [b]) => b - a)
    .map(([rate, total]) => {
      // base = |total| × 10000 / (10000 + rate), rounded half up: (2 × |total| × 10000 + d) / 2d with
      // d = 10000 + rate, in bigint, since |total| × 20000 passes 2^53 for amounts near MAX_AMOUNT.
      // On a non-negative dividend bigint's truncating division is the floor the rounding needs.
      const d = BigInt(10_000 + rate);
      const magnitude = Number((BigInt(Math.abs(total)) * 20_000n + d) / (2n * d));
      const base = total < 0 ? -magnitude : magnitude;
      return { rate: rate as VatRateValue, base, vat: total - base, total };
    });
}
