import { withTx } from "@comptoir/platform";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { lockOpenSession } from "../src/db/sessions.repo";
import {
  card,
  DENOMINATIONS_OF,
  expectProblem,
  type RetailWorld,
  sleep,
  startRetail,
  type TestRegister,
  type TestStore,
} from "./support/harness";

let w: RetailWorld;
let s: TestStore;
let other: TestStore;
beforeAll(async () => {
  w = await startRetail("sessions");
  s = await w.store();
  other = await w.store();
}, 120_000);
afterEach(() => w.clock.reset());
afterAll(async () => {
  await w?.close();
});

const path = (r: TestRegister, what: string) => `/api/retail/registers/${r.id}/${what}`;

describe("opening a register", () => {
  it("the store's clerk opens it with a float: 201, the register shows it, retail.register.opened is published", async () => {
    const register = await w.register(s.id, { code: "OPEN-1", name: "Caisse accueil" });
    const res = await s.clerk.api.post(path(register, "open"), { openingFloat: 15_000 });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      registerId: register.id,
      storeId: s.id,
      status: "open",
      openedBy: s.clerk.id,
      openingFloat: 15_000,
      closedAt: null,
      flagged: false,
      zReport: null,
    });
    const view = await s.manager.api.get(`/api/retail/registers/${register.id}`);
    expect(view.body.currentSession).toMatchObject({ id: res.body.id, status: "open" });
    const events = await w.retail.published("retail.register.opened", register.id);
    expect(events).toEqual([
      expect.objectContaining({
        store: { id: s.id, code: s.code, name: s.name, timezone: "Europe/Paris" },
        channel: "store",
        register: { id: register.id, code: "OPEN-1", name: "Caisse accueil" },
        sessionId: res.body.id,
        currency: "EUR",
        openingFloat: 15_000,
        openedBy: s.clerk.id,
      }),
    ]);
  });

  it("a second open of the same register is a 409 session_already_open naming the open session", async () => {
    const register = await w.register(s.id);
    const first = await w.open(register, s.clerk.api);
    const res = await s.manager.api.post(path(register, "open"), { openingFloat: 0 });
    expectProblem(res, 409, "session_already_open");
    expect(res.body.sessionId).toBe(first.id);
  });

  it("eight tills opening the same register at once: exactly one session opens", async () => {
    const register = await w.register(s.id);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => s.clerk.api.post(path(register, "open"), { openingFloat: 5_000 })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const open = await w.admin.get(`/api/retail/sessions?registerId=${register.id}`);
    expect(open.body.pagination.total).toBe(1);
    expect(await w.retail.published("retail.register.opened", register.id)).toHaveLength(1);
  });

  it.each([
    ["a negative float", { openingFloat: -1 }],
    ["a float in euros", { openingFloat: 150.5 }],
    ["no float", {}],
  ])("%s is a 400", async (_what, body) => {
    const register = await w.register(s.id);
    expectProblem(await s.clerk.api.post(path(register, "open"), body), 400, "validation_failed");
  });

  it("a clerk of another store gets a 404 register_not_found; a customer a 403; nobody opened anything", async () => {
    const register = await w.register(s.id);
    expectProblem(await other.clerk.api.post(path(register, "open"), { openingFloat: 0 }), 404, "register_not_found");
    expectProblem(await other.manager.api.post(path(register, "open"), { openingFloat: 0 }), 404, "register_not_found");
    const customer = await w.staff("customer", s.id);
    expectProblem(await customer.api.post(path(register, "open"), { openingFloat: 0 }), 403, "forbidden");
    expect((await w.admin.get(`/api/retail/registers/${register.id}`)).body.currentSession).toBeNull();
  });

  it("an admin opens a register of any store", async () => {
    const register = await w.register(other.id);
    expect((await w.admin.post(path(register, "open"), { openingFloat: 0 })).status).toBe(201);
  });
});

describe("cash in, cash out and the X report", () => {
  it("movements with a reason change the expected cash of the running X report", async () => {
    const register = await w.register(s.id);
    const session = await w.open(register, s.clerk.api, 20_000);
    const drop = await s.clerk.api.post(path(register, "cash-movements"), {
      direction: "out",
      amount: 12_000,
      reason: "bank_drop",
      note: "dépôt banque",
    });
    expect(drop.status, JSON.stringify(drop.body)).toBe(201);
    expect(drop.body).toMatchObject({
      sessionId: session.id,
      registerId: register.id,
      direction: "out",
      amount: 12_000,
      reason: "bank_drop",
      note: "dépôt banque",
      createdBy: s.clerk.id,
    });
    const topUp = await s.manager.api.post(path(register, "cash-movements"), {
      direction: "in",
      amount: 5_000,
      reason: "float_top_up",
    });
    expect(topUp.status).toBe(201);

    const x = await s.clerk.api.get(path(register, "x-report"));
    expect(x.status, JSON.stringify(x.body)).toBe(200);
    expect(x.body).toMatchObject({
      sessionId: session.id,
      final: false,
      openingFloat: 20_000,
      salesCount: 0,
      cashMovements: { count: 2, in: 5_000, out: 12_000 },
      expectedCash: 20_000 + 5_000 - 12_000,
      countedCash: null,
      variance: null,
      closedAt: null,
    });
  });

  it.each([
    ["an unknown reason", { direction: "out", amount: 100, reason: "lunch" }],
    ["a zero amount", { direction: "in", amount: 0, reason: "other" }],
    ["no direction", { amount: 100, reason: "other" }],
  ])("%s is a 400", async (_what, body) => {
    const register = await w.register(s.id);
    await w.open(register, s.clerk.api);
    expectProblem(await s.clerk.api.post(path(register, "cash-movements"), body), 400, "validation_failed");
  });

  it("a register with no open session: movement and X report are 409 register_not_open", async () => {
    const register = await w.register(s.id);
    expectProblem(
      await s.clerk.api.post(path(register, "cash-movements"), { direction: "in", amount: 100, reason: "other" }),
      409,
      "register_not_open",
    );
    expectProblem(await s.clerk.api.get(path(register, "x-report")), 409, "register_not_open");
  });

  it("another store's register: movement and X report are 404", async () => {
    const register = await w.register(s.id);
    await w.open(register, s.clerk.api);
    expectProblem(
      await other.clerk.api.post(path(register, "cash-movements"), { direction: "out", amount: 100, reason: "other" }),
      404,
      "register_not_found",
    );
    expectProblem(await other.clerk.api.get(path(register, "x-report")), 404, "register_not_found");
  });
});

describe("closing a register", () => {
  it("with the cash counted: expected, counted, variance, a final Z report, the event and the journal's entry", async () => {
    const register = await w.register(s.id, { code: "Z-1", name: "Caisse Z" });
    const session = await w.open(register, s.clerk.api, 10_000);
    await s.clerk.api.post(path(register, "cash-movements"), { direction: "in", amount: 2_550, reason: "petty_cash" });
    await s.clerk.api.post(path(register, "cash-movements"), { direction: "out", amount: 5_000, reason: "bank_drop" });
    // Expected 7,550; counted 20 € × 3, 10 € × 1, 5 € × 1, 0.50 € × 1, 0.20 € × 2 = 75.90 €: 40 cents over.
    const counted = { "2000": 3, "1000": 1, "500": 1, "50": 1, "20": 2 };
    const res = await s.clerk.api.post(path(register, "close"), { counted, note: "fin de journée" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      id: session.id,
      status: "closed",
      closedBy: s.clerk.id,
      counted,
      countedCash: 7_590,
      expectedCash: 7_550,
      variance: 40,
      note: "fin de journée",
    });
    expect(res.body.zReport).toMatchObject({
      sessionId: session.id,
      final: true,
      openingFloat: 10_000,
      salesCount: 0,
      salesTotal: 0,
      byTender: [
        { method: "cash", amount: 0 },
        { method: "card", amount: 0 },
        { method: "store_credit", amount: 0 },
      ],
      byVatRate: [],
      returnsCount: 0,
      voidsCount: 0,
      cashMovements: { count: 2, in: 2_550, out: 5_000 },
      expectedCash: 7_550,
      countedCash: 7_590,
      variance: 40,
      closedAt: res.body.closedAt,
    });
    expect((await s.manager.api.get(`/api/retail/sessions/${session.id}`)).body).toEqual(res.body);
    expect((await s.clerk.api.get(`/api/retail/registers/${register.id}`)).body.currentSession).toBeNull();

    expect(await w.retail.published("retail.register.closed", register.id)).toEqual([
      expect.objectContaining({
        store: expect.objectContaining({ id: s.id, code: s.code }),
        register: { id: register.id, code: "Z-1", name: "Caisse Z" },
        sessionId: session.id,
        closedBy: s.clerk.id,
        salesCount: 0,
        cashIn: 2_550,
        cashOut: 5_000,
        expectedCash: 7_550,
        countedCash: 7_590,
        variance: 40,
        flagged: false,
      }),
    ]);

    const journal = await w.admin.get(`/api/retail/journal?storeId=${s.id}`);
    expect(journal.status, JSON.stringify(journal.body)).toBe(200);
    const closes = journal.body.data.filter((e: { documentId: string }) => e.documentId === session.id);
    expect(closes).toEqual([expect.objectContaining({ kind: "session_close", amount: 0, storeId: s.id })]);
  });

  it("closing twice is a 409 register_not_open, and so are a movement and an X report after the close", async () => {
    const { register } = await openTill();
    const counted = DENOMINATIONS_OF(10_000);
    expect((await s.clerk.api.post(path(register, "close"), { counted })).status).toBe(200);
    expectProblem(await s.clerk.api.post(path(register, "close"), { counted }), 409, "register_not_open");
    expectProblem(
      await s.clerk.api.post(path(register, "cash-movements"), { direction: "in", amount: 100, reason: "other" }),
      409,
      "register_not_open",
    );
    expectProblem(await s.clerk.api.get(path(register, "x-report")), 409, "register_not_open");
    expect(await w.retail.published("retail.register.closed", register.id)).toHaveLength(1);
  });

  it("two closes at once: one closes, the other is a 409; one event", async () => {
    const { register } = await openTill();
    const counted = DENOMINATIONS_OF(10_000);
    const answers = await Promise.all([
      s.clerk.api.post(path(register, "close"), { counted }),
      s.manager.api.post(path(register, "close"), { counted }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(await w.retail.published("retail.register.closed", register.id)).toHaveLength(1);
  });

  it("a register closed can be opened again: a new session", async () => {
    const { register, session } = await openTill();
    await s.clerk.api.post(path(register, "close"), { counted: DENOMINATIONS_OF(10_000) });
    const again = await w.open(register, s.clerk.api);
    expect(again.id).not.toBe(session.id);
  });

  it("an unknown denomination is a 400 unknown_denomination naming it; the session stays open", async () => {
    const { register } = await openTill();
    const res = await s.clerk.api.post(path(register, "close"), { counted: { "2000": 1, "300": 2, "25": 1, deux: 1 } });
    expectProblem(res, 400, "unknown_denomination");
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      "counted.25",
      "counted.300",
      "counted.deux",
    ]);
    expect((await s.clerk.api.get(`/api/retail/registers/${register.id}`)).body.currentSession.status).toBe("open");
  });

  it.each([
    ["a negative count", { counted: { "100": -1 } }],
    ["a count that is not an integer", { counted: { "100": 1.5 } }],
    ["no count", {}],
  ])("%s is a 400", async (_what, body) => {
    const { register } = await openTill();
    expectProblem(await s.clerk.api.post(path(register, "close"), body), 400, "validation_failed");
  });

  it("another store's clerk gets a 404; a customer a 403; the session stays open", async () => {
    const { register } = await openTill();
    const counted = DENOMINATIONS_OF(10_000);
    expectProblem(await other.clerk.api.post(path(register, "close"), { counted }), 404, "register_not_found");
    const customer = await w.staff("customer", s.id);
    expectProblem(await customer.api.post(path(register, "close"), { counted }), 403, "forbidden");
    expect((await s.clerk.api.get(`/api/retail/registers/${register.id}`)).body.currentSession.status).toBe("open");
  });

  it("a close waits for a sale in flight (which holds the open session FOR SHARE)", async () => {
    const { register } = await openTill();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const sale = withTx(w.retail.db, async (tx) => {
      expect(await lockOpenSession(tx, register.id)).toMatchObject({ status: "open" });
      locked();
      await held;
    });
    await isLocked;
    let closedAt = 0;
    const close = s.clerk.api.post(path(register, "close"), { counted: DENOMINATIONS_OF(10_000) }).then((r) => {
      closedAt = Date.now();
      return r;
    });
    await sleep(300);
    expect(closedAt).toBe(0);
    const releasedAt = Date.now();
    release();
    await sale;
    expect((await close).status).toBe(200);
    expect(closedAt).toBeGreaterThanOrEqual(releasedAt);
  });
});

describe("the Z report of a day of sales", () => {
  it("cash with change, a card, a cash drop: the X report runs, the Z report adds up to the drawer", async () => {
    const product = await w.product({ price: 1_250, stock: 10, locationId: s.locationId, vatRate: 550 });
    const register = await w.register(s.id);
    await w.open(register, s.clerk.api, 10_000);
    const sell = (quantity: number, tenders: unknown[]) =>
      s.clerk.api.post(
        "/api/retail/sales",
        { registerId: register.id, lines: [{ variantId: product.variantId, quantity }], tenders },
        { "idempotency-key": crypto.randomUUID() },
      );
    // 2 × 12.50 = 25.00 paid with 30.00 cash: 5.00 change.
    const cash = await sell(2, [{ method: "cash", amount: 3_000 }]);
    expect(cash.status, JSON.stringify(cash.body)).toBe(201);
    // 1 × 12.50 by card.
    const byCard = await sell(1, [{ method: "card", amount: 1_250, card: card() }]);
    expect(byCard.status, JSON.stringify(byCard.body)).toBe(201);
    await s.clerk.api.post(path(register, "cash-movements"), { direction: "out", amount: 2_000, reason: "bank_drop" });

    const x = await s.clerk.api.get(path(register, "x-report"));
    expect(x.body).toMatchObject({
      final: false,
      salesCount: 2,
      salesTotal: 3_750,
      expectedCash: 10_000 + 2_500 - 2_000,
    });

    // Expected 100.00 + 25.00 − 20.00 = 105.00 €; counted 104.90 €.
    const counted = { "5000": 1, "2000": 2, "1000": 1, "200": 2, "50": 1, "20": 2 };
    const closed = await s.clerk.api.post(path(register, "close"), { counted });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    const z = closed.body.zReport;
    expect(z).toMatchObject({
      final: true,
      salesCount: 2,
      salesTotal: 3_750,
      byTender: [
        { method: "cash", amount: 2_500 },
        { method: "card", amount: 1_250 },
        { method: "store_credit", amount: 0 },
      ],
      byVatRate: [{ rate: 550, total: 3_750, base: 3_555, vat: 195 }],
      cashTaken: 3_000,
      changeGiven: 500,
      cashRefunds: 0,
      cashMovements: { count: 1, in: 0, out: 2_000 },
      expectedCash: 10_500,
      countedCash: 10_490,
      variance: -10,
    });
    // The sales' journal entries come before the close's, which records the Z report.
    const journal = await w.admin.get(`/api/retail/journal?storeId=${s.id}&limit=1000`);
    const kinds = journal.body.data.map((e: { kind: string; documentId: string }) => `${e.kind}:${e.documentId}`);
    expect(kinds.indexOf(`session_close:${closed.body.id}`)).toBeGreaterThan(kinds.indexOf(`sale:${byCard.body.id}`));
  });
});

describe("left open overnight", () => {
  it("a session still open after the store's closing time of its opening day is flagged", async () => {
    // Monday 10 March 2025, 10:00 in Paris (UTC+1); the store closes at 19:00.
    w.clock.set("2025-03-10T09:00:00Z");
    const { register, session } = await openTill();
    expect(session).toMatchObject({ flagged: false, flagAfter: "2025-03-10T18:00:00.000Z" });
    w.clock.set("2025-03-10T17:59:00Z");
    expect((await s.clerk.api.get(`/api/retail/sessions/${session.id}`)).body.flagged).toBe(false);
    w.clock.set("2025-03-10T18:01:00Z");
    expect((await s.clerk.api.get(`/api/retail/sessions/${session.id}`)).body.flagged).toBe(true);
    const flagged = await s.manager.api.get(`/api/retail/sessions?flagged=true&registerId=${register.id}`);
    expect(flagged.body.data.map((x: { id: string }) => x.id)).toEqual([session.id]);
    const notFlagged = await s.manager.api.get(`/api/retail/sessions?flagged=false&registerId=${register.id}`);
    expect(notFlagged.body.pagination.total).toBe(0);

    // Closed the next morning: it stays flagged, in the event too.
    w.clock.set("2025-03-11T08:30:00Z");
    const closed = await s.clerk.api.post(path(register, "close"), { counted: DENOMINATIONS_OF(10_000) });
    expect(closed.body).toMatchObject({ status: "closed", flagged: true });
    expect((await w.retail.published("retail.register.closed", register.id))[0].flagged).toBe(true);
  });

  it("a session closed the same evening is not flagged", async () => {
    w.clock.set("2025-03-10T09:00:00Z");
    const { register, session } = await openTill();
    w.clock.set("2025-03-10T17:30:00Z");
    await s.clerk.api.post(path(register, "close"), { counted: DENOMINATIONS_OF(10_000) });
    w.clock.set("2025-03-12T12:00:00Z");
    expect((await s.clerk.api.get(`/api/retail/sessions/${session.id}`)).body.flagged).toBe(false);
  });

  it("on a day the store has no hours (Sunday), past local midnight", async () => {
    // Sunday 9 March 2025, 10:00 in Paris: flagged after Monday 00:00 Paris (Sunday 23:00 UTC).
    w.clock.set("2025-03-09T09:00:00Z");
    const { session } = await openTill();
    expect(session.flagAfter).toBe("2025-03-09T23:00:00.000Z");
    w.clock.set("2025-03-09T22:59:00Z");
    expect((await s.clerk.api.get(`/api/retail/sessions/${session.id}`)).body.flagged).toBe(false);
    w.clock.set("2025-03-09T23:01:00Z");
    expect((await s.clerk.api.get(`/api/retail/sessions/${session.id}`)).body.flagged).toBe(true);
  });
});

describe("the sessions' list", () => {
  it("filters by store, register, cashier, status and dates, newest first, paginated", async () => {
    const store = await w.store();
    const [r1, r2] = [await w.register(store.id), await w.register(store.id)];
    const cashier = await w.staff("clerk", store.id);
    w.clock.set("2025-04-01T08:00:00Z");
    const a = await w.open(r1, store.clerk.api);
    await store.clerk.api.post(path(r1, "close"), { counted: DENOMINATIONS_OF(10_000) });
    w.clock.set("2025-04-02T08:00:00Z");
    const b = await w.open(r1, cashier.api);
    w.clock.set("2025-04-03T08:00:00Z");
    const c = await w.open(r2, store.clerk.api);

    const ids = async (query: string) => {
      const res = await w.admin.get(`/api/retail/sessions?storeId=${store.id}&${query}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.data.map((x: { id: string }) => x.id);
    };
    expect(await ids("")).toEqual([c.id, b.id, a.id]);
    expect(await ids(`registerId=${r1.id}`)).toEqual([b.id, a.id]);
    expect(await ids(`cashierId=${cashier.id}`)).toEqual([b.id]);
    expect(await ids("status=closed")).toEqual([a.id]);
    expect(await ids("status=open")).toEqual([c.id, b.id]);
    expect(await ids("from=2025-04-02T00:00:00Z&to=2025-04-03T00:00:00Z")).toEqual([b.id]);
    const page = await w.admin.get(`/api/retail/sessions?storeId=${store.id}&limit=2&page=2`);
    expect(page.body).toMatchObject({
      data: [expect.objectContaining({ id: a.id })],
      pagination: { page: 2, limit: 2, total: 3 },
    });
    const past = await w.admin.get(`/api/retail/sessions?storeId=${store.id}&limit=2&page=3`);
    expect(past.body).toEqual({ data: [], pagination: { page: 3, limit: 2, total: 3 } });
  });

  it("staff see their own store's sessions only, whatever storeId they ask; another store's session is a 404", async () => {
    const { session } = await openTill();
    const mine = await s.clerk.api.get("/api/retail/sessions?limit=200");
    expect(mine.body.data.every((x: { storeId: string }) => x.storeId === s.id)).toBe(true);
    expect(mine.body.data.map((x: { id: string }) => x.id)).toContain(session.id);
    const theirs = await other.clerk.api.get(`/api/retail/sessions?storeId=${s.id}`);
    expect(theirs.body.pagination.total).toBe(0);
    expectProblem(await other.clerk.api.get(`/api/retail/sessions/${session.id}`), 404, "session_not_found");
    const loose = await w.staff("clerk", null);
    expect((await loose.api.get("/api/retail/sessions")).body.pagination.total).toBe(0);
    expectProblem(await loose.api.get(`/api/retail/sessions/${session.id}`), 404, "session_not_found");
    const customer = await w.staff("customer", s.id);
    expectProblem(await customer.api.get("/api/retail/sessions"), 403);
  });

  it("bad filters are 400s", async () => {
    expectProblem(await w.admin.get("/api/retail/sessions?status=paused"), 400, "validation_failed");
    expectProblem(await w.admin.get("/api/retail/sessions?from=yesterday"), 400, "validation_failed");
    expectProblem(await w.admin.get("/api/retail/sessions?registerId=nope"), 400, "validation_failed");
  });
});

/** A new register of store S with a session opened by its clerk (float 100.00 €). */
async function openTill() {
  const register = await w.register(s.id);
  const session = await w.open(register, s.clerk.api, 10_000);
  return { register, session };
}
