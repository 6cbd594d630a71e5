import { createHash } from "node:crypto";
import type { EventData, RawEnvelope } from "@comptoir/contracts";
import { parseEnvelope } from "@comptoir/events";
import { describe, expect, it } from "vitest";
import {
  generateHistory,
  generatedCatalog,
  historyDays,
  localInstant,
  SEED_HISTORY_SOURCE,
} from "../src/reporting/history";

const catalog = generatedCatalog(7);
const options = { endDay: "2026-11-01", years: 2, lines: 20_000, seed: 42, catalog };

function all(o = options) {
  const days = [...generateHistory(o)];
  return { days, events: days.flatMap((d) => d.events) };
}

const paris = (instant: string) =>
  new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Paris",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date(instant));

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe("seeded sales history", () => {
  const { days, events } = all();

  it("is the same for the same seed, ids included, and different for another seed", () => {
    const digest = (es: RawEnvelope[]) => createHash("sha256").update(JSON.stringify(es)).digest("hex");
    expect(digest(all().events)).toBe(digest(events));
    expect(digest(all({ ...options, seed: 43 }).events)).not.toBe(digest(events));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it("has exactly the sale lines asked for, over two years of days ending the day before endDay", () => {
    expect(days[0]!.day).toBe("2024-11-01");
    expect(days.at(-1)!.day).toBe("2026-10-31");
    expect(days).toHaveLength(730);
    const saleLines = events
      .filter((e) => e.type === "retail.sale.completed" || e.type === "orders.order.paid")
      .map((e) => (e.data as { lines: unknown[] }).lines.length);
    expect(sum(saleLines)).toBe(20_000);
    expect(sum(days.map((d) => d.lines))).toBe(20_000);
  });

  it("every event is valid for its contract, says it is seeded, and happens on its day, in order", () => {
    for (const day of days) {
      let previous = "";
      for (const e of day.events) {
        expect(() => parseEnvelope(e)).not.toThrow();
        expect(e.source).toBe(SEED_HISTORY_SOURCE);
        expect(paris(e.occurredAt)).toBe(day.day);
        expect(e.occurredAt >= previous).toBe(true);
        previous = e.occurredAt;
      }
    }
    const types = new Set(events.map((e) => e.type));
    expect([...types].sort()).toEqual([
      "orders.order.paid",
      "orders.order.refunded",
      "retail.register.closed",
      "retail.sale.completed",
      "retail.sale.returned",
      "retail.sale.voided",
    ]);
  });

  it("totals add up: lines, discounts, VAT, tenders and change; orders' subtotal, shipping and VAT", () => {
    for (const e of events) {
      if (e.type === "retail.sale.completed") {
        const s = e.data as EventData<"retail.sale.completed">;
        expect(sum(s.lines.map((l) => l.lineTotal))).toBe(s.total);
        expect(sum(s.lines.map((l) => l.quantity * l.unitPrice))).toBe(s.subtotal);
        expect(s.subtotal - s.discountTotal).toBe(s.total);
        expect(s.discounts.lines + s.discounts.basket).toBe(s.discountTotal);
        expect(sum(s.lines.map((l) => l.discount))).toBe(s.discountTotal);
        expect(sum(s.vat.map((v) => v.total))).toBe(s.total);
        for (const v of s.vat) expect(v.base + v.vat).toBe(v.total);
        expect(sum(s.tenders.map((t) => t.amount)) - s.change).toBe(s.total);
      }
      if (e.type === "orders.order.paid") {
        const o = e.data as EventData<"orders.order.paid">;
        expect(sum(o.lines.map((l) => l.quantity * l.unitPrice))).toBe(o.totals.subtotal);
        expect(o.totals.subtotal + o.totals.shipping).toBe(o.totals.total);
        expect(sum(o.vat!.map((v) => v.total))).toBe(o.totals.total);
      }
      if (e.type === "retail.sale.returned") {
        const r = e.data as EventData<"retail.sale.returned">;
        expect(sum(r.lines.map((l) => l.lineTotal))).toBe(r.total);
        expect(sum(r.vat.map((v) => v.total))).toBe(r.total);
      }
      if (e.type === "retail.register.closed") {
        const c = e.data as EventData<"retail.register.closed">;
        expect(c.countedCash - c.expectedCash).toBe(c.variance);
        expect(sum(c.byTender.map((t) => t.amount))).toBe(c.salesTotal);
      }
    }
  });

  it("a return, a refund or a void comes after its sale and is never larger", () => {
    const sales = new Map<string, { at: string; total: number }>();
    for (const e of events) {
      if (e.type === "retail.sale.completed") {
        sales.set(e.subject, { at: e.occurredAt, total: (e.data as { total: number }).total });
      } else if (e.type === "orders.order.paid") {
        sales.set(e.subject, { at: e.occurredAt, total: (e.data as EventData<"orders.order.paid">).totals.total });
      } else if (e.type !== "retail.register.closed") {
        const sale = sales.get(e.subject);
        expect(sale, `${e.type} ${e.subject} before its sale`).toBeDefined();
        expect(e.occurredAt > sale!.at).toBe(true);
        const amount =
          e.type === "orders.order.refunded"
            ? (e.data as EventData<"orders.order.refunded">).refundedAmount
            : (e.data as { total: number }).total;
        expect(amount).toBeLessThanOrEqual(sale!.total);
      }
    }
  });

  it("weekly and seasonal patterns: Saturdays busier than Tuesdays, December than September; Sundays only at store 1", () => {
    const linesOf = (filter: (day: string) => boolean) =>
      sum(days.filter((d) => filter(d.day)).map((d) => d.lines)) / days.filter((d) => filter(d.day)).length;
    const weekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay();
    expect(linesOf((d) => weekday(d) === 6)).toBeGreaterThan(1.2 * linesOf((d) => weekday(d) === 2));
    expect(linesOf((d) => d.slice(5, 7) === "12")).toBeGreaterThan(1.3 * linesOf((d) => d.slice(5, 7) === "09"));
    const sundayStores = new Set(
      events
        .filter((e) => e.type === "retail.sale.completed" && weekday(paris(e.occurredAt)) === 0)
        .map((e) => (e.data as EventData<"retail.sale.completed">).store.code),
    );
    expect([...sundayStores]).toEqual(["STORE-1"]);
  });

  it("daylight saving days: stores open at 10:00 local time (08:00 UTC in summer, 09:00 in winter); 23- and 25-hour days", () => {
    expect(new Date(localInstant("2026-03-29", 0, "Europe/Paris")).toISOString()).toBe("2026-03-28T23:00:00.000Z");
    expect(new Date(localInstant("2026-03-30", 0, "Europe/Paris")).toISOString()).toBe("2026-03-29T22:00:00.000Z");
    expect(new Date(localInstant("2025-10-26", 0, "Europe/Paris")).toISOString()).toBe("2025-10-25T22:00:00.000Z");
    expect(new Date(localInstant("2025-10-27", 0, "Europe/Paris")).toISOString()).toBe("2025-10-26T23:00:00.000Z");
    expect(new Date(localInstant("2026-07-01", 600, "Europe/Paris")).toISOString()).toBe("2026-07-01T08:00:00.000Z");
    expect(new Date(localInstant("2026-01-05", 600, "Europe/Paris")).toISOString()).toBe("2026-01-05T09:00:00.000Z");
    // Sunday 2026-03-29 (spring forward) and 2025-10-26 (fall back): store 1 opens 11:00-18:00 local.
    for (const [day, open, close] of [
      ["2026-03-29", "2026-03-29T09:00:00.000Z", "2026-03-29T16:00:00.000Z"],
      ["2025-10-26", "2025-10-26T10:00:00.000Z", "2025-10-26T17:00:00.000Z"],
    ] as const) {
      const tills = days
        .find((d) => d.day === day)!
        .events.filter((e) => e.type === "retail.sale.completed")
        .map((e) => e.occurredAt);
      expect(tills.length).toBeGreaterThan(0);
      for (const at of tills) expect(at >= open && at < close).toBe(true);
    }
  });

  it("counts days across years and fractions", () => {
    expect(historyDays("2026-01-01", 1)).toHaveLength(365);
    expect(historyDays("2026-01-01", 0.5)[0]).toBe("2025-07-02");
  });

  it("a catalog smaller than a basket still fills every line", () => {
    const tiny = all({ ...options, lines: 500, catalog: catalog.slice(0, 2) });
    expect(sum(tiny.days.map((d) => d.lines))).toBe(500);
  });
});
