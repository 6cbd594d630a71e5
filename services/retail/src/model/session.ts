import { type VatLine, vatBreakdown } from "@comptoir/contracts";
import type { retailHttp } from "@comptoir/contracts/http";
import { ConflictError, InvalidError } from "@comptoir/platform";
import { type OpeningHours, type WEEKDAYS } from "./store";

/**
 * What the sales and returns of a session came to (H4's `sessionSalesTotals` fills it from its tables).
 * expected cash = openingFloat + cash in − cash out + cashTaken − changeGiven − cashRefunds.
 */
export interface SessionSalesTotals {
  salesCount: number;
  salesTotal: number;
  discountTotal: number; // completed sales (voided ones excluded)
  byTender: { method: "cash" | "card" | "store_credit"; amount: number }[]; // what sales took; cash net of change
  byVatRate: VatLine[]; // of sales, less returns and voids
  returnsCount: number;
  returnsTotal: number;
  voidsCount: number;
  voidsTotal: number;
  cashTaken: number;
  changeGiven: number;
  cashRefunds: number; // cash refunds = returns + voids paid in cash
}

export const TENDER_METHODS = ["cash", "card", "store_credit"] as const;
export type TenderMethod = (typeof TENDER_METHODS)[number];

export const NO_SALES: SessionSalesTotals = {
  salesCount: 0,
  salesTotal: 0,
  discountTotal: 0,
  byTender: [],
  byVatRate: [],
  returnsCount: 0,
  returnsTotal: 0,
  voidsCount: 0,
  voidsTotal: 0,
  cashTaken: 0,
  changeGiven: 0,
  cashRefunds: 0,
};

/** The euro's notes and coins, in cents: the keys a close may count. */
export const EUR_DENOMINATIONS = [50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1] as const;

export const CASH_REASONS = ["bank_drop", "petty_cash", "float_top_up", "other"] as const;
export type CashReason = (typeof CASH_REASONS)[number];

// A session's schemas are retail's public contract (packages/contracts: retailHttp); the rules are here.
/** An X report (running, `final: false`) or the Z report of a closed session (`final: true`). */
export type SessionReport = retailHttp.SessionReport;
/** The cash counted per denomination: {"<denomination in cents>": count}. */
export type Counted = retailHttp.Counted;
/** A register's cash session: opened with a float, closed with the cash counted. */
export type Session = retailHttp.Session;
export type CashMovement = retailHttp.CashMovement;

export interface CashMovementTotals {
  count: number;
  in: number;
  out: number;
}

// ---- rules -------------------------------------------------------------------------------------

export const registerNotOpen = (registerId: string) =>
  new ConflictError("register_not_open", `Register ${registerId} has no open session.`);

/** A session that can still take sales, movements and its close (409 register_not_open otherwise). */
export function assertOpen(session: Pick<Session, "status" | "registerId"> | undefined, registerId: string): void {
  if (!session || session.status !== "open") throw registerNotOpen(registerId);
}

/** The cash counted: Σ denomination × count; 400 unknown_denomination naming any key that is not a euro note or coin. */
export function countedCashOf(counted: Counted): number {
  // Written as the denomination in cents, nothing else ("0500" is not "500").
  const known = new Set<string>(EUR_DENOMINATIONS.map(String));
  const unknown = Object.keys(counted).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new InvalidError(
      "unknown_denomination",
      `Not a euro note or coin (in cents): ${unknown.join(", ")}. Known: ${EUR_DENOMINATIONS.join(", ")}.`,
      { errors: unknown.map((k) => ({ in: "body", field: `counted.${k}`, message: "is not a euro denomination" })) },
    );
  }
  return Object.entries(counted).reduce((sum, [denomination, count]) => sum + Number(denomination) * count, 0);
}

/** openingFloat + cash in − cash out + cash taken − change given − cash refunds. */
export function expectedCashOf(
  openingFloat: number,
  movements: Pick<CashMovementTotals, "in" | "out">,
  totals: Pick<SessionSalesTotals, "cashTaken" | "changeGiven" | "cashRefunds">,
): number {
  return openingFloat + movements.in - movements.out + totals.cashTaken - totals.changeGiven - totals.cashRefunds;
}

/** Every tender method once, in a fixed order (cash, card, store credit), amounts of the same method added. */
export function byTenderOf(tenders: readonly { method: TenderMethod; amount: number }[]): SessionReport["byTender"] {
  return TENDER_METHODS.map((method) => ({
    method,
    amount: tenders.filter((t) => t.method === method).reduce((s, t) => s + t.amount, 0),
  }));
}

/** The session's report: running (X) when `closing` is absent, final (Z) with the count of the close. */
export function sessionReport(input: {
  session: Pick<Session, "id" | "registerId" | "storeId" | "openedAt" | "openingFloat">;
  totals: SessionSalesTotals;
  movements: CashMovementTotals;
  at: Date;
  closing?: { countedCash: number };
}): SessionReport {
  const { session, totals, movements, closing } = input;
  const expectedCash = expectedCashOf(session.openingFloat, movements, totals);
  return {
    sessionId: session.id,
    registerId: session.registerId,
    storeId: session.storeId,
    final: closing !== undefined,
    at: input.at.toISOString(),
    openedAt: session.openedAt,
    closedAt: closing ? input.at.toISOString() : null,
    openingFloat: session.openingFloat,
    salesCount: totals.salesCount,
    salesTotal: totals.salesTotal,
    discountTotal: totals.discountTotal,
    byTender: byTenderOf(totals.byTender),
    byVatRate: totals.byVatRate,
    returnsCount: totals.returnsCount,
    returnsTotal: totals.returnsTotal,
    voidsCount: totals.voidsCount,
    voidsTotal: totals.voidsTotal,
    cashMovements: { count: movements.count, in: movements.in, out: movements.out },
    cashTaken: totals.cashTaken,
    changeGiven: totals.changeGiven,
    cashRefunds: totals.cashRefunds,
    expectedCash,
    countedCash: closing ? closing.countedCash : null,
    variance: closing ? closing.countedCash - expectedCash : null,
  };
}

// ---- the reference arithmetic of a session's documents (property-tested) -----------------------

/** A sale of the session as the report needs it; `tenders` are what was handed over, `change` given back in cash. */
export interface SessionSale {
  kind: "sale";
  lines: { vatRate: number; total: number }[];
  discount: number;
  tenders: { method: TenderMethod; amount: number }[];
  change: number;
  /** Voided later in the session: every tender was given back. */
  voided: boolean;
}

/** A return recorded in the session, and how it was refunded. */
export interface SessionReturn {
  kind: "return";
  lines: { vatRate: number; total: number }[];
  refunds: { method: TenderMethod; amount: number }[];
}

export type SessionDocument = SessionSale | SessionReturn;

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * What a session's sales and returns come to, by the definitions of SessionSalesTotals: the
 * reference the SQL of sessionSalesTotals must agree with.
 */
export function totalsOf(documents: readonly SessionDocument[]): SessionSalesTotals {
  const t = structuredClone(NO_SALES);
  const tenders: { method: TenderMethod; amount: number }[] = [];
  const vat: { vatRate: number; total: number }[] = [];
  for (const d of documents) {
    if (d.kind === "sale") {
      const total = sum(d.lines.map((l) => l.total));
      const cash = sum(d.tenders.filter((x) => x.method === "cash").map((x) => x.amount));
      t.cashTaken += cash;
      t.changeGiven += d.change;
      if (d.voided) {
        t.voidsCount++;
        t.voidsTotal += total;
        t.cashRefunds += cash - d.change;
        continue;
      }
      t.salesCount++;
      t.salesTotal += total;
      t.discountTotal += d.discount;
      tenders.push(...d.tenders);
      if (d.change > 0) tenders.push({ method: "cash", amount: -d.change });
      vat.push(...d.lines);
    } else {
      t.returnsCount++;
      t.returnsTotal += sum(d.lines.map((l) => l.total));
      t.cashRefunds += sum(d.refunds.filter((x) => x.method === "cash").map((x) => x.amount));
      vat.push(...d.lines.map((l) => ({ vatRate: l.vatRate, total: -l.total })));
    }
  }
  t.byTender = byTenderOf(tenders).filter((x) => x.amount !== 0);
  t.byVatRate = vatBreakdown(vat).filter((l) => l.total !== 0);
  return t;
}

// ---- left open overnight ------------------------------------------------------------------------

interface LocalTime {
  /** YYYY-MM-DD */
  date: string;
  weekday: (typeof WEEKDAYS)[number];
  /** HH:MM */
  time: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      weekday: "short",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function partsOf(instant: Date, timeZone: string) {
  const parts = Object.fromEntries(
    formatterOf(timeZone)
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return parts as Record<"year" | "month" | "day" | "hour" | "minute" | "second" | "weekday", string>;
}

/** The wall-clock date, weekday and time of an instant in a time zone. */
export function localTimeOf(instant: Date, timeZone: string): LocalTime {
  const p = partsOf(instant, timeZone);
  return {
    date: `${p.year}-${p.month}-${p.day}`,
    weekday: p.weekday.toLowerCase().slice(0, 3) as LocalTime["weekday"],
    time: `${p.hour}:${p.minute}`,
  };
}

/** The instant a wall-clock date and time of a time zone is (the earlier one in a DST overlap). */
export function instantOf(date: string, time: string, timeZone: string): Date {
  const [y, mo, d] = date.split("-").map(Number) as [number, number, number];
  const [h, mi] = time.split(":").map(Number) as [number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const offsetAt = (instant: number) => {
    const p = partsOf(new Date(instant), timeZone);
    return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - instant;
  };
  let guess = wall - offsetAt(wall);
  guess = wall - offsetAt(guess);
  return new Date(guess);
}

const nextDate = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * After this instant a session opened at `openedAt` was left open overnight: the store's last closing
 * time of the opening day (local), or the next local midnight when the store has no hours that day or
 * the session was opened after closing.
 */
export function flagAfterOf(openedAt: Date, hours: OpeningHours, timeZone: string): Date {
  const local = localTimeOf(openedAt, timeZone);
  const closes = (hours[local.weekday] ?? []).map((i) => i.close).sort();
  const close = closes.at(-1);
  if (close !== undefined && close > local.time) return instantOf(local.date, close, timeZone);
  return instantOf(nextDate(local.date), "00:00", timeZone);
}

/** Left open overnight: still open after `flagAfter`, or closed only after it. */
export function isFlagged(session: { flagAfter: string; closedAt: string | null }, now: Date): boolean {
  const end = session.closedAt === null ? now.getTime() : Date.parse(session.closedAt);
  return end > Date.parse(session.flagAfter);
}
