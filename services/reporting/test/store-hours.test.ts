import { randomUUID } from "node:crypto";
import type { EventData } from "@comptoir/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReportingHarness, startReporting } from "./support/harness";
import { newItem, newStore, type StoreRef, saleCompleted } from "./support/sales-events";

/**
 * Sales per opening hour in a store's indicators, from the opening hours retail's store events
 * (retail.store.created|updated) carry: the figure, its previous period and change, an older store
 * event arriving late, a store whose hours are unknown, who reads it; and each read model's data age
 * as a Prometheus gauge.
 */
let h: ReportingHarness;

beforeAll(async () => {
  h = await startReporting("reporting_store_hours");
});
afterAll(async () => {
  await h?.close();
});

type Hours = EventData<"retail.store.created">["openingHours"];
const interval = (open: string, close: string) => [{ open, close }];
/** Monday to Saturday `open`-`close`, closed on Sundays. */
const weekdays = (open: string, close: string): Hours => ({
  mon: interval(open, close),
  tue: interval(open, close),
  wed: interval(open, close),
  thu: interval(open, close),
  fri: interval(open, close),
  sat: interval(open, close),
  sun: [],
});

/** A store's whole state as retail publishes it. */
function storeState(store: StoreRef, openingHours: Hours, name = store.name): EventData<"retail.store.created"> {
  return {
    id: store.id,
    code: store.code,
    name,
    address: { line1: "18 rue de Rivoli", postalCode: "75004", city: "Paris", country: "FR" },
    phone: "+33 1 23 45 67 89",
    email: "store@example.com",
    managerId: null,
    openingHours,
    timezone: store.timezone,
    locationId: randomUUID(),
    createdAt: "2026-01-05T09:00:00.000Z",
    updatedAt: "2026-01-05T09:00:00.000Z",
  };
}

async function sell(store: StoreRef, at: string, unitPrice: number) {
  const sale = saleCompleted(store, at, [{ item: newItem("Pull", unitPrice), quantity: 1 }]);
  await h.publish("retail.sale.completed", sale, sale.saleId);
}

const indicators = async (store: StoreRef, query: string) => {
  const res = await h.reporting.admin.get(`/api/reporting/stores/${store.id}/indicators?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};

// 2026-03-23 (Monday) to 2026-03-29 (Sunday, the night clocks go forward in Paris): 6 days × 10 h.
const WEEK = "from=2026-03-23&to=2026-03-29";

describe("sales per opening hour", () => {
  const store = newStore("HRS", "Europe/Paris");

  beforeAll(async () => {
    await h.publish("retail.store.created", storeState(store, weekdays("09:00", "19:00")), store.id, {
      occurredAt: "2026-01-05T09:00:00.000Z",
    });
    // The week before: 300.00 over 60 h; the week: 600.00 over 60 h.
    await sell(store, "2026-03-18T10:00:00.000Z", 30_000);
    await sell(store, "2026-03-23T10:00:00.000Z", 25_000);
    await sell(store, "2026-03-28T15:00:00.000Z", 35_000);
    await h.settle();
  });

  it("is the revenue over the hours the store was open, with the previous period's and the change", async () => {
    const body = await indicators(store, WEEK);
    expect(body).toMatchObject({ revenue: 60_000, salesPerOpeningHour: 1000 });
    expect(body.previous).toMatchObject({ from: "2026-03-16", to: "2026-03-22", salesPerOpeningHour: 500 });
    expect(body.change.salesPerOpeningHour).toBe(100);
    expect(body.store).toMatchObject({
      id: store.id,
      openingHours: weekdays("09:00", "19:00"),
      openingHoursAsOf: "2026-01-05T09:00:00.000Z",
    });
    // A Sunday alone: closed, no figure.
    expect((await indicators(store, "from=2026-03-29&to=2026-03-29")).salesPerOpeningHour).toBeNull();
  });

  it("is in the indicators CSV, in euros per hour", async () => {
    const res = await h.reporting.admin.get(`/api/reporting/stores/${store.id}/indicators?${WEEK}&format=csv`);
    expect(res.status).toBe(200);
    const lines = (res.body as string).split("\r\n");
    expect(lines).toContain("salesPerOpeningHour,10.00,5.00,100");
  });

  it("a newer store event changes the hours; an older one arriving late does not, nor does a newer sale", async () => {
    await h.publish("retail.store.updated", storeState(store, weekdays("09:00", "14:00"), "Hours B"), store.id, {
      occurredAt: "2026-02-01T09:00:00.000Z",
    });
    await h.settle();
    expect(await indicators(store, WEEK)).toMatchObject({ salesPerOpeningHour: 2000 }); // 600.00 over 30 h
    // An update older than the one applied, delivered late: neither its hours nor its name.
    await h.publish("retail.store.updated", storeState(store, weekdays("08:00", "20:00"), "Hours A"), store.id, {
      occurredAt: "2026-01-20T09:00:00.000Z",
    });
    // A sale newer than every store event names the store too: it keeps the hours.
    await sell(store, "2026-03-24T10:00:00.000Z", 0);
    await h.settle();
    const body = await indicators(store, WEEK);
    expect(body.salesPerOpeningHour).toBe(2000);
    expect(body.store).toMatchObject({
      openingHours: weekdays("09:00", "14:00"),
      openingHoursAsOf: "2026-02-01T09:00:00.000Z",
    });
    expect(body.store.name).not.toBe("Hours A");
    // Applied and ignored, not failed.
    const letters = await h.reporting.bus.listDeadLetters({ limit: 10, offset: 0 });
    expect(letters.data.map((l) => l.error)).toEqual([]);
  });
});

describe("a store whose hours are unknown", () => {
  it("has no sales per opening hour (null), nor any change in it", async () => {
    const onlySales = newStore("NOH", "Europe/Paris");
    await sell(onlySales, "2026-03-24T10:00:00.000Z", 10_000);
    const closed = newStore("CLO", "Europe/Paris");
    const never: Hours = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
    await h.publish("retail.store.created", storeState(closed, never), closed.id);
    await sell(closed, "2026-03-24T10:00:00.000Z", 10_000);
    await h.settle();

    const unknown = await indicators(onlySales, WEEK);
    expect(unknown).toMatchObject({ revenue: 10_000, salesPerOpeningHour: null });
    expect(unknown.previous.salesPerOpeningHour).toBeNull();
    expect(unknown.change.salesPerOpeningHour).toBeNull();
    expect(unknown.store).toMatchObject({ openingHours: null, openingHoursAsOf: null });
    // Hours that total 0 (closed every day): null too.
    expect(await indicators(closed, WEEK)).toMatchObject({ revenue: 10_000, salesPerOpeningHour: null });
  });
});

describe("who reads it", () => {
  it("a manager reads their own store's figure; another store stays a 403", async () => {
    const mine = newStore("MGH", "Europe/Paris");
    const theirs = newStore("OTH", "Europe/Paris");
    for (const store of [mine, theirs]) {
      await h.publish("retail.store.created", storeState(store, weekdays("10:00", "20:00")), store.id);
      await sell(store, "2026-03-24T10:00:00.000Z", 12_000);
    }
    await h.settle();
    const manager = await h.reporting.as({ role: "manager", storeId: mine.id });
    const own = await manager.get(`/api/reporting/stores/${mine.id}/indicators?${WEEK}`);
    expect(own.status).toBe(200);
    expect(own.body.salesPerOpeningHour).toBe(200); // 120.00 over 60 h
    const other = await manager.get(`/api/reporting/stores/${theirs.id}/indicators?${WEEK}`);
    expect(other.status).toBe(403);
    const clerk = await h.reporting.as({ role: "clerk", storeId: mine.id });
    expect((await clerk.get(`/api/reporting/stores/${mine.id}/indicators?${WEEK}`)).status).toBe(403);
  });
});

describe("the data's age as a metric", () => {
  it("/metrics holds each read model's age, the value the reports' header carries", async () => {
    const store = newStore("MET", "Europe/Paris");
    await sell(store, "2026-03-24T10:00:00.000Z", 5000);
    await h.settle();
    const text = (await h.reporting.anonymous.get("/metrics")).body as string;
    for (const model of ["sales", "stock", "conversion"]) {
      const line = text.split("\n").find((l) => l.startsWith(`comptoir_reporting_data_age_seconds{model="${model}"`));
      expect(line, text).toBeDefined();
      // Nothing waits for the group once settled: up to date.
      expect(Number(line!.split(" ").pop())).toBe(0);
    }
    expect(text).toContain("# TYPE comptoir_reporting_data_age_seconds gauge");
    const res = await h.reporting.admin.get(`/api/reporting/stores/${store.id}/indicators?${WEEK}`);
    expect(res.headers.get("reporting-data-age")).toBe("0");
  });
});
