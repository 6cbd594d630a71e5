import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_AMOUNT } from "../src/money";
import { DEFAULT_VAT_RATE, VAT_RATES, vatBreakdown } from "../src/vat";

/**
 * The exact base of `total` at `rate`, rounded half up, by comparison of integers only (no
 * division): the b for which (2b − 1)·d ≤ 2·total·10000 < (2b + 1)·d, d = 10000 + rate.
 */
function exactBase(total: bigint, rate: number): bigint {
  const d = BigInt(10_000 + rate);
  const twice = 2n * total * 10_000n;
  let b = (total * 10_000n) / d; // a floor within one of the answer
  while ((2n * b + 1n) * d <= twice) b += 1n;
  while ((2n * b - 1n) * d > twice) b -= 1n;
  return b;
}

const rate = fc.constantFrom(...VAT_RATES);

describe("VAT rates", () => {
  it("are the French rates in basis points, 20 % by default", () => {
    expect(VAT_RATES).toEqual([2000, 1000, 550, 210]);
    expect(DEFAULT_VAT_RATE).toBe(2000);
  });
});

describe("vatBreakdown", () => {
  it("takes the base out of a total that includes VAT, per rate", () => {
    expect(vatBreakdown([{ vatRate: 2000, total: 1200 }])).toEqual([{ rate: 2000, base: 1000, vat: 200, total: 1200 }]);
    expect(vatBreakdown([{ vatRate: 1000, total: 1100 }])).toEqual([{ rate: 1000, base: 1000, vat: 100, total: 1100 }]);
    expect(vatBreakdown([{ vatRate: 550, total: 1055 }])).toEqual([{ rate: 550, base: 1000, vat: 55, total: 1055 }]);
    expect(vatBreakdown([{ vatRate: 210, total: 1021 }])).toEqual([{ rate: 210, base: 1000, vat: 21, total: 1021 }]);
  });

  it("rounds the base to the nearest cent at each rate, half up", () => {
    // 10.00 / 1.2 = 8.333… → 8.33; 10.00 / 1.1 = 9.0909… → 9.09; 10.00 / 1.055 = 9.478… → 9.48; 10.00 / 1.021 = 9.794… → 9.79
    expect(vatBreakdown([{ vatRate: 2000, total: 1000 }])[0]).toMatchObject({ base: 833, vat: 167 });
    expect(vatBreakdown([{ vatRate: 1000, total: 1000 }])[0]).toMatchObject({ base: 909, vat: 91 });
    expect(vatBreakdown([{ vatRate: 550, total: 1000 }])[0]).toMatchObject({ base: 948, vat: 52 });
    expect(vatBreakdown([{ vatRate: 210, total: 1000 }])[0]).toMatchObject({ base: 979, vat: 21 });
    // Exactly half a cent (only 20 % has such totals: 5 × total / 6): 0.03 / 1.2 = 0.025 → 0.03; 0.09 / 1.2 = 0.075 → 0.08.
    expect(vatBreakdown([{ vatRate: 2000, total: 3 }])[0]).toMatchObject({ base: 3, vat: 0 });
    expect(vatBreakdown([{ vatRate: 2000, total: 9 }])[0]).toMatchObject({ base: 8, vat: 1 });
    // Above half rounds up, below half down: 0.01 / 1.2 = 0.83 cent → 1; 0.02 / 1.2 = 1.67 cents → 2; 0.04 / 1.2 = 3.33 → 3.
    expect(vatBreakdown([{ vatRate: 2000, total: 1 }])[0]).toMatchObject({ base: 1, vat: 0 });
    expect(vatBreakdown([{ vatRate: 2000, total: 2 }])[0]).toMatchObject({ base: 2, vat: 0 });
    expect(vatBreakdown([{ vatRate: 2000, total: 4 }])[0]).toMatchObject({ base: 3, vat: 1 });
    expect(vatBreakdown([{ vatRate: 2000, total: 0 }])).toEqual([{ rate: 2000, base: 0, vat: 0, total: 0 }]);
  });

  it("rounds once per rate, over the sum of its lines, not line by line", () => {
    // Three lines of 0.03 at 20 %: 0.09 → base 0.08 (line by line, 3 × 0.03 would make 0.09 and no VAT).
    const lines = [1, 2, 3].map(() => ({ vatRate: 2000, total: 3 }));
    expect(vatBreakdown(lines)).toEqual([{ rate: 2000, base: 8, vat: 1, total: 9 }]);
  });

  it("gives one row per rate, highest first, and none without lines", () => {
    const rows = vatBreakdown([
      { vatRate: 550, total: 500 },
      { vatRate: 2000, total: 1200 },
      { vatRate: 210, total: 100 },
      { vatRate: 550, total: 555 },
    ]);
    expect(rows.map((r) => [r.rate, r.total])).toEqual([
      [2000, 1200],
      [550, 1055],
      [210, 100],
    ]);
    expect(vatBreakdown([])).toEqual([]);
  });

  it("for any lines, each rate's base is its total's exact base rounded half up, and everything adds up", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ vatRate: rate, total: fc.integer({ min: 0, max: 100_000_000 }) }), { maxLength: 60 }),
        (lines) => {
          const rows = vatBreakdown(lines);
          expect(rows.reduce((s, r) => s + r.total, 0)).toBe(lines.reduce((s, l) => s + l.total, 0));
          expect(rows.map((r) => r.rate)).toEqual([...new Set(lines.map((l) => l.vatRate))].sort((a, b) => b - a));
          for (const r of rows) {
            expect(r.total).toBe(lines.filter((l) => l.vatRate === r.rate).reduce((s, l) => s + l.total, 0));
            expect(r.base + r.vat).toBe(r.total);
            expect(BigInt(r.base)).toBe(exactBase(BigInt(r.total), r.rate));
            expect(r.vat).toBeGreaterThanOrEqual(0);
            expect(r.vat).toBeLessThanOrEqual(r.total);
          }
        },
      ),
    );
  });

  it("is exact near MAX_AMOUNT, where total × 20000 passes 2^53 (bigint, never a float)", () => {
    expect(MAX_AMOUNT * 20_000).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
    for (const vatRate of VAT_RATES) {
      for (const total of [MAX_AMOUNT, MAX_AMOUNT - 1, MAX_AMOUNT - 7, MAX_AMOUNT - 12_345]) {
        const [row] = vatBreakdown([{ vatRate, total }]);
        expect(BigInt(row!.base), `${vatRate} ${total}`).toBe(exactBase(BigInt(total), vatRate));
        expect(row!.base + row!.vat).toBe(total);
        expect(Number.isSafeInteger(row!.base)).toBe(true);
      }
    }
    fc.assert(
      fc.property(rate, fc.integer({ min: MAX_AMOUNT - 1_000_000_000, max: MAX_AMOUNT }), (vatRate, total) => {
        const [row] = vatBreakdown([{ vatRate, total }]);
        expect(BigInt(row!.base)).toBe(exactBase(BigInt(total), vatRate));
      }),
    );
    // Lines at the caps that sum to MAX_AMOUNT at one rate.
    const [row] = vatBreakdown([
      { vatRate: 2000, total: MAX_AMOUNT - 100_000_000 },
      { vatRate: 2000, total: 100_000_000 },
    ]);
    expect(row).toMatchObject({ total: MAX_AMOUNT, base: Number(exactBase(BigInt(MAX_AMOUNT), 2000)) });
  });

  it("a rate netting to a negative total (a refund) mirrors the same positive total exactly", () => {
    fc.assert(
      fc.property(rate, fc.integer({ min: 1, max: MAX_AMOUNT }), (vatRate, total) => {
        const [sale] = vatBreakdown([{ vatRate, total }]);
        const [refund] = vatBreakdown([{ vatRate, total: -total }]);
        // 0 - x, not -x: a zero stays +0 (toEqual tells -0 from 0).
        expect(refund).toEqual({ rate: vatRate, base: 0 - sale!.base, vat: 0 - sale!.vat, total: -total });
      }),
    );
    // A return line against a sale at the same rate nets out first.
    expect(
      vatBreakdown([
        { vatRate: 2000, total: 1200 },
        { vatRate: 2000, total: -1 },
      ]),
    ).toEqual([{ rate: 2000, base: 999, vat: 200, total: 1199 }]);
  });
});
