import { VAT_RATES } from "@comptoir/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assertOpen,
  byTenderOf,
  countedCashOf,
  EUR_DENOMINATIONS,
  expectedCashOf,
  flagAfterOf,
  instantOf,
  isFlagged,
  localTimeOf,
  NO_SALES,
  type SessionDocument,
  sessionReport,
  totalsOf,
} from "./session";
import type { OpeningHours } from "./store";

const day = [{ open: "09:00", close: "19:00" }];
const HOURS: OpeningHours = { mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: [] };
const session = {
  id: "0192f5a0-0000-7000-8000-000000000101",
  registerId: "0192f5a0-0000-7000-8000-000000000102",
  storeId: "0192f5a0-0000-7000-8000-000000000103",
  openedAt: "2025-03-10T09:00:00.000Z",
};

describe("the cash counted", () => {
  it("is the sum of each denomination times its count", () => {
    expect(countedCashOf({ "50000": 1, "2000": 3, "200": 2, "1": 7 })).toBe(50_000 + 6_000 + 400 + 7);
    expect(countedCashOf({})).toBe(0);
  });

  it("refuses anything that is not a euro note or coin, naming every such key", () => {
    expect(() => countedCashOf({ "2000": 1, "300": 1, "0500": 1, abc: 1 })).toThrowError(
      expect.objectContaining({
        code: "unknown_denomination",
        status: 400,
        errors: [
          expect.objectContaining({ field: "counted.300" }),
          expect.objectContaining({ field: "counted.0500" }),
          expect.objectContaining({ field: "counted.abc" }),
        ],
      }),
    );
  });
});

describe("a session's state", () => {
  it("only an open session takes movements and its close (409 register_not_open)", () => {
    expect(() => assertOpen({ status: "open", registerId: "r" }, "r")).not.toThrow();
    for (const s of [undefined, { status: "closed" as const, registerId: "r" }]) {
      expect(() => assertOpen(s, "r")).toThrowError(
        expect.objectContaining({ code: "register_not_open", status: 409 }),
      );
    }
  });

  it("expected cash = float + cash in − cash out + cash taken − change − cash refunds", () => {
    expect(
      expectedCashOf(10_000, { in: 500, out: 3_000 }, { cashTaken: 8_000, changeGiven: 1_200, cashRefunds: 900 }),
    ).toBe(10_000 + 500 - 3_000 + 8_000 - 1_200 - 900);
  });

  it("the report lists every tender once, in a fixed order", () => {
    expect(
      byTenderOf([
        { method: "card", amount: 5 },
        { method: "cash", amount: 3 },
        { method: "card", amount: 2 },
      ]),
    ).toEqual([
      { method: "cash", amount: 3 },
      { method: "card", amount: 7 },
      { method: "store_credit", amount: 0 },
    ]);
  });

  it("an X report has no count; a Z report has the count, the variance and its closing time", () => {
    const at = new Date("2025-03-10T18:00:00Z");
    const movements = { count: 1, in: 0, out: 2_000 };
    const x = sessionReport({ session: { ...session, openingFloat: 10_000 }, totals: NO_SALES, movements, at });
    expect(x).toMatchObject({ final: false, expectedCash: 8_000, countedCash: null, variance: null, closedAt: null });
    const z = sessionReport({
      session: { ...session, openingFloat: 10_000 },
      totals: NO_SALES,
      movements,
      at,
      closing: { countedCash: 7_950 },
    });
    expect(z).toMatchObject({
      final: true,
      expectedCash: 8_000,
      countedCash: 7_950,
      variance: -50,
      closedAt: at.toISOString(),
    });
  });
});

describe("left open overnight", () => {
  it("after the closing time of the opening day, in the store's time zone (winter and summer time)", () => {
    // Monday 10 March 2025 10:00 in Paris (UTC+1), Monday 7 July 2025 10:00 (UTC+2).
    expect(flagAfterOf(new Date("2025-03-10T09:00:00Z"), HOURS, "Europe/Paris").toISOString()).toBe(
      "2025-03-10T18:00:00.000Z",
    );
    expect(flagAfterOf(new Date("2025-07-07T08:00:00Z"), HOURS, "Europe/Paris").toISOString()).toBe(
      "2025-07-07T17:00:00.000Z",
    );
    // The same instant in another time zone is another local day and time.
    expect(flagAfterOf(new Date("2025-03-10T09:00:00Z"), HOURS, "America/New_York").toISOString()).toBe(
      "2025-03-10T23:00:00.000Z",
    );
  });

  it("the last interval of a split day closes it", () => {
    const split: OpeningHours = {
      ...HOURS,
      wed: [
        { open: "14:00", close: "19:30" },
        { open: "09:00", close: "12:30" },
      ],
    };
    expect(flagAfterOf(new Date("2025-03-12T08:00:00Z"), split, "Europe/Paris").toISOString()).toBe(
      "2025-03-12T18:30:00.000Z",
    );
  });

  it("a day with no hours, or an opening after closing time: the next local midnight", () => {
    expect(flagAfterOf(new Date("2025-03-09T09:00:00Z"), HOURS, "Europe/Paris").toISOString()).toBe(
      "2025-03-09T23:00:00.000Z",
    );
    expect(flagAfterOf(new Date("2025-03-10T19:30:00Z"), HOURS, "Europe/Paris").toISOString()).toBe(
      "2025-03-10T23:00:00.000Z",
    );
    // Saturday 29 March 2025: the night the clocks go forward; midnight is still UTC+1.
    expect(flagAfterOf(new Date("2025-03-29T19:00:00Z"), HOURS, "Europe/Paris").toISOString()).toBe(
      "2025-03-29T23:00:00.000Z",
    );
  });

  it("flagged while open past that instant, or when closed only after it", () => {
    const flagAfter = "2025-03-10T18:00:00.000Z";
    expect(isFlagged({ flagAfter, closedAt: null }, new Date("2025-03-10T17:59:59Z"))).toBe(false);
    expect(isFlagged({ flagAfter, closedAt: null }, new Date("2025-03-10T18:00:01Z"))).toBe(true);
    expect(isFlagged({ flagAfter, closedAt: "2025-03-10T17:30:00Z" }, new Date("2025-03-12T00:00:00Z"))).toBe(false);
    expect(isFlagged({ flagAfter, closedAt: "2025-03-11T08:00:00Z" }, new Date("2025-03-12T00:00:00Z"))).toBe(true);
  });

  it("wall-clock times and instants round-trip through the time zone", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2030-01-01T00:00:00Z"), noInvalidDate: true }),
        fc.constantFrom("Europe/Paris", "America/New_York", "Asia/Tokyo", "UTC"),
        (at, zone) => {
          const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000);
          const local = localTimeOf(minute, zone);
          const back = instantOf(local.date, local.time, zone);
          // In a DST overlap two instants show the same wall time: the earlier one comes back.
          expect(localTimeOf(back, zone)).toEqual(local);
          expect(back.getTime()).toBeLessThanOrEqual(minute.getTime());
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---- property: the arithmetic of any session --------------------------------------------------------

const line = fc.record({ vatRate: fc.constantFrom(...VAT_RATES), total: fc.integer({ min: 0, max: 50_000 }) });

/** A sale whose tenders cover its total exactly (change only from cash), voided or not. */
const sale = fc
  .record({
    lines: fc.array(line, { minLength: 1, maxLength: 4 }),
    discount: fc.integer({ min: 0, max: 2_000 }),
    cardShare: fc.double({ min: 0, max: 1, noNaN: true }),
    creditShare: fc.double({ min: 0, max: 1, noNaN: true }),
    extraCash: fc.integer({ min: 0, max: 5_000 }),
    voided: fc.boolean(),
  })
  .map(({ lines, discount, cardShare, creditShare, extraCash, voided }): SessionDocument => {
    const total = lines.reduce((s, l) => s + l.total, 0);
    const card = Math.floor(total * cardShare);
    const credit = Math.floor((total - card) * creditShare);
    const cashDue = total - card - credit;
    const cash = cashDue > 0 ? cashDue + extraCash : 0;
    const tenders = [
      ...(card > 0 ? [{ method: "card" as const, amount: card }] : []),
      ...(credit > 0 ? [{ method: "store_credit" as const, amount: credit }] : []),
      ...(cash > 0 ? [{ method: "cash" as const, amount: cash }] : []),
    ];
    return { kind: "sale", lines, discount, tenders, change: cash > 0 ? cash - cashDue : 0, voided };
  });

const aReturn = fc
  .record({
    lines: fc.array(line, { minLength: 1, maxLength: 3 }),
    method: fc.constantFrom("cash", "card", "store_credit"),
  })
  .map(({ lines, method }): SessionDocument => {
    const total = lines.reduce((s, l) => s + l.total, 0);
    return { kind: "return", lines, refunds: [{ method: method as "cash" | "card" | "store_credit", amount: total }] };
  });

const movement = fc.record({
  direction: fc.constantFrom("in" as const, "out" as const),
  amount: fc.integer({ min: 1, max: 50_000 }),
});

type Operation = { doc: SessionDocument } | { movement: { direction: "in" | "out"; amount: number } };
const operations = fc.array(
  fc.oneof(
    { arbitrary: sale.map((doc): Operation => ({ doc })), weight: 4 },
    { arbitrary: aReturn.map((doc): Operation => ({ doc })), weight: 1 },
    { arbitrary: movement.map((m): Operation => ({ movement: m })), weight: 1 },
  ),
  { maxLength: 40 },
);

const sumOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const totalOf = (d: SessionDocument) => sumOf(d.lines.map((l) => l.total));

describe("the arithmetic of any session (property)", () => {
  it("expected cash is the drawer's content; the Z report is the sum of its parts", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        operations,
        fc.integer({ min: 0, max: 500_000 }),
        (openingFloat, ops, counted) => {
          // The drawer, as a cashier would count it after each operation.
          let drawer = openingFloat;
          const movements = { count: 0, in: 0, out: 0 };
          const docs: SessionDocument[] = [];
          for (const op of ops) {
            if ("movement" in op) {
              movements.count++;
              movements[op.movement.direction] += op.movement.amount;
              drawer += op.movement.direction === "in" ? op.movement.amount : -op.movement.amount;
              continue;
            }
            const d = op.doc;
            docs.push(d);
            if (d.kind === "sale") {
              const cashIn = sumOf(d.tenders.filter((t) => t.method === "cash").map((t) => t.amount)) - d.change;
              drawer += cashIn;
              if (d.voided) drawer -= cashIn; // the void gives the cash back
            } else {
              drawer -= sumOf(d.refunds.filter((r) => r.method === "cash").map((r) => r.amount));
            }
          }

          const totals = totalsOf(docs);
          const z = sessionReport({
            session: { ...session, openingFloat },
            totals,
            movements,
            at: new Date("2025-03-10T18:00:00Z"),
            closing: { countedCash: counted },
          });
          const sales = docs.filter((d) => d.kind === "sale");
          const kept = sales.filter((d) => !d.voided);
          const returns = docs.filter((d) => d.kind === "return");

          expect(z.expectedCash).toBe(drawer);
          expect(z.expectedCash).toBe(
            openingFloat + movements.in - movements.out + z.cashTaken - z.changeGiven - z.cashRefunds,
          );
          expect(z.variance).toBe(counted - drawer);
          expect(z.salesCount + z.voidsCount).toBe(sales.length);
          expect(z.salesCount).toBe(kept.length);
          expect(z.returnsCount).toBe(returns.length);
          expect(z.salesTotal).toBe(sumOf(kept.map(totalOf)));
          expect(z.voidsTotal).toBe(sumOf(sales.filter((d) => d.voided).map(totalOf)));
          expect(z.returnsTotal).toBe(sumOf(returns.map(totalOf)));
          expect(z.discountTotal).toBe(sumOf(kept.map((d) => (d.kind === "sale" ? d.discount : 0))));
          // What the sales took, by tender, is what they came to.
          expect(sumOf(z.byTender.map((t) => t.amount))).toBe(z.salesTotal);
          // The VAT table adds up to the sales less the returns, each rate once.
          expect(sumOf(z.byVatRate.map((v) => v.total))).toBe(z.salesTotal - z.returnsTotal);
          for (const v of z.byVatRate) expect(v.base + v.vat).toBe(v.total);
          expect(new Set(z.byVatRate.map((v) => v.rate)).size).toBe(z.byVatRate.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("any count of euro notes and coins is counted exactly", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...EUR_DENOMINATIONS.map(String)), fc.integer({ min: 0, max: 1000 })),
        (counted) => {
          expect(countedCashOf(counted)).toBe(sumOf(Object.entries(counted).map(([d, n]) => Number(d) * n)));
        },
      ),
    );
  });
});
