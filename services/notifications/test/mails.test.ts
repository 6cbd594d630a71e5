import { newId } from "@comptoir/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  alert,
  messagesOf,
  type Notifications,
  order,
  sleep,
  STORE_1,
  STORE_2,
  startNotifications,
  supplyRequest,
  user,
  waitFor,
  waitForDirectory,
  waitForMessages,
} from "./support/harness";

/**
 * From other services' events to mails, without SMTP: every mail lands in the embedded mailbox
 * (status `stored`), readable through the API. Events are published on the event log as their
 * producers would; the service's own bus consumes them.
 */
let n: Notifications;
const HOLD_MS = 1500;

beforeAll(async () => {
  n = await startNotifications("mails", { holdMs: HOLD_MS });
});
afterAll(async () => {
  await n?.close();
});

/** Waits until the mail group has handled the event (its id is in the inbox). */
const waitForHandled = (eventId: string) =>
  waitFor(
    async () =>
      (await n.db.query("SELECT 1 FROM inbox WHERE consumer_group = 'notifications' AND event_id = $1", [eventId]))
        .rowCount,
    (count) => count === 1,
    `event ${eventId} handled`,
  );

const byTopic = async (topic: string) =>
  (
    await n.db.query<{ template: string; status: string }>(
      "SELECT template, status FROM messages WHERE topic = $1 ORDER BY created_at, id",
      [topic],
    )
  ).rows;

describe("welcome", () => {
  it("a customer who signs up is welcomed, in French by default", async () => {
    const camille = user({ name: "Camille Martin" });
    const event = await n.publish("identity.user.registered", camille);
    const [message] = await waitForMessages(n, event.id, 1);
    expect(message).toMatchObject({
      template: "welcome",
      recipient: camille.email,
      user_id: camille.userId,
      language: "fr",
      subject: "Bienvenue chez Comptoir",
      status: "stored",
    });
    expect(message!.body_text).toContain("Bonjour Camille Martin,");
    expect(message!.body_html).toContain('<html lang="fr">');
  });

  it("in English when their language says so", async () => {
    const event = await n.publish("identity.user.registered", user({ name: "Alex Smith", language: "en" }));
    const [message] = await waitForMessages(n, event.id, 1);
    expect(message).toMatchObject({ language: "en", subject: "Welcome to Comptoir" });
    expect(message!.body_text).toContain("Hello Alex Smith,");
  });

  it("staff accounts are not welcomed", async () => {
    const event = await n.publish("identity.user.registered", user({ role: "manager", storeId: newId() }));
    await waitForHandled(event.id);
    expect(await messagesOf(n, event.id)).toEqual([]);
  });
});

describe("orders", () => {
  it("a paid order is confirmed to the order's address, amounts written in its language", async () => {
    const fr = order();
    const en = order({ language: "en" });
    const [frEvent, enEvent] = [await n.publish("orders.order.paid", fr), await n.publish("orders.order.paid", en)];
    const [frMail] = await waitForMessages(n, frEvent.id, 1);
    const [enMail] = await waitForMessages(n, enEvent.id, 1);
    expect(frMail).toMatchObject({ template: "order_confirmed", recipient: fr.email, user_id: fr.customerId });
    expect(frMail!.subject).toBe(
      `Votre commande ${fr.orderId.replaceAll("-", "").slice(-8).toUpperCase()} est confirmée`,
    );
    expect(frMail!.body_text).toContain("2 × Robe d'été (RB-M) — 99,80\u00a0€");
    expect(frMail!.body_text).toMatch(/Total\u00a0:\s+112,30\u00a0€/);
    expect(enMail!.subject).toMatch(/^Your order [0-9A-F]{8} is confirmed$/);
    expect(enMail!.body_text).toMatch(/Total:\s+€112\.30/);
    expect(enMail!.body_html).toContain("€112.30");
  });

  it("the confirmation shows the order's VAT per rate under its totals, in its language; an order event without VAT has no table", async () => {
    const vat = [
      { rate: 2000 as const, base: 8317, vat: 1663, total: 9980 },
      { rate: 550 as const, base: 1185, vat: 65, total: 1250 },
    ];
    const withRates = (o: ReturnType<typeof order>) => ({
      ...o,
      lines: [
        { ...o.lines[0]!, vatRate: 2000 as const },
        { ...o.lines[1]!, vatRate: 550 as const },
      ],
      vat,
    });
    const fr = withRates(order());
    const en = withRates(order({ language: "en" }));
    const old = order();
    const events = [
      await n.publish("orders.order.paid", fr),
      await n.publish("orders.order.paid", en),
      await n.publish("orders.order.paid", old),
    ];
    const [frMail, enMail, oldMail] = (await Promise.all(events.map((e) => waitForMessages(n, e.id, 1)))).map(
      (messages) => messages[0],
    );
    const frText = frMail!.body_text;
    expect(frText.indexOf("Dont TVA")).toBeGreaterThan(frText.search(/Total\u00a0:/));
    expect(frText).toMatch(
      /Taux\s+Base HT\s+TVA\s+Total TTC\n20\u00a0%\s+83,17\u00a0€\s+16,63\u00a0€\s+99,80\u00a0€\n/,
    );
    expect(frText).toMatch(/5,5\u00a0%\s+11,85\u00a0€\s+0,65\u00a0€\s+12,50\u00a0€/);
    expect(frMail!.body_html).toContain("Total TTC");
    expect(enMail!.body_text).toMatch(
      /VAT included:\nRate\s+Base \(excl\. VAT\)\s+VAT\s+Total \(incl\. VAT\)\n20%\s+€83\.17/,
    );
    expect(enMail!.body_text).toMatch(/5\.5%\s+€11\.85\s+€0\.65\s+€12\.50/);
    expect(oldMail!.body_text).not.toContain("TVA");
  });

  it("a checkout paid at once makes one mail: the confirmation", async () => {
    const paidAtOnce = order();
    await n.publish("orders.order.placed", { ...paidAtOnce, status: "paid" });
    const paid = await n.publish("orders.order.paid", paidAtOnce);
    await waitForMessages(n, paid.id, 1);

    const pendingThenPaid = order();
    await n.publish("orders.order.placed", { ...pendingThenPaid, status: "pending" });
    const paidLater = await n.publish("orders.order.paid", pendingThenPaid);
    await waitForMessages(n, paidLater.id, 1);
    await sleep(HOLD_MS + 300);

    expect(await byTopic(`order:${paidAtOnce.orderId}`)).toEqual([{ template: "order_confirmed", status: "stored" }]);
    expect(await byTopic(`order:${pendingThenPaid.orderId}`)).toEqual([
      { template: "order_received", status: "superseded" },
      { template: "order_confirmed", status: "stored" },
    ]);
  });

  it("an order whose payment stays pending is acknowledged as received, after a moment", async () => {
    const pending = order({ language: "en" });
    const placed = await n.publish("orders.order.placed", { ...pending, status: "pending" });
    const [held] = await waitForMessages(n, placed.id, 1, ["queued"]);
    expect(held!.template).toBe("order_received");
    expect(held!.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + 200);
    const [received] = await waitForMessages(n, placed.id, 1, ["stored"]);
    expect(received!.subject).toMatch(/^Order [0-9A-F]{8} received, awaiting payment$/);
  });

  it("a checkout whose payment failed makes no mail", async () => {
    const declined = order();
    await n.publish("orders.order.placed", { ...declined, status: "pending" });
    const cancelled = await n.publish("orders.order.cancelled", {
      ...declined,
      status: "cancelled",
      previousStatus: "pending",
      reason: "payment declined",
      cancelledBy: null,
    });
    await waitForHandled(cancelled.id);
    expect(await byTopic(`order:${declined.orderId}`)).toEqual([{ template: "order_received", status: "superseded" }]);
  });

  it("a shipment gives the carrier and tracking number when known", async () => {
    const tracked = order();
    const withTracking = await n.publish("orders.order.shipped", {
      ...tracked,
      status: "shipped",
      carrier: "Colissimo",
      trackingNumber: "6A12345678901",
    });
    const untracked = order({ language: "en" });
    const without = await n.publish("orders.order.shipped", {
      ...untracked,
      status: "shipped",
      carrier: null,
      trackingNumber: null,
    });
    const [a] = await waitForMessages(n, withTracking.id, 1);
    const [b] = await waitForMessages(n, without.id, 1);
    expect(a!.subject).toMatch(/^Votre commande [0-9A-F]{8} a été expédiée$/);
    expect(a!.body_text).toMatch(/Transporteur\u00a0:\s+Colissimo/);
    expect(a!.body_text).toMatch(/Numéro de suivi\u00a0:\s+6A12345678901/);
    expect(b!.subject).toMatch(/^Your order [0-9A-F]{8} has shipped$/);
    expect(b!.body_text).not.toMatch(/Carrier|Tracking/);
  });

  it("a paid order cancelled by its customer: the cancellation says a refund follows, the refund gives its amount", async () => {
    const o = order({ language: "en" });
    const cancelled = await n.publish("orders.order.cancelled", {
      ...o,
      status: "cancelled",
      previousStatus: "paid",
      reason: "changed my mind",
      cancelledBy: o.customerId,
    });
    const refunded = await n.publish("orders.order.refunded", {
      ...o,
      status: "refunded",
      refundedAmount: 11230,
      reason: "order cancelled",
    });
    const [c] = await waitForMessages(n, cancelled.id, 1);
    const [r] = await waitForMessages(n, refunded.id, 1);
    expect(c!.subject).toMatch(/^Your order [0-9A-F]{8} has been cancelled$/);
    expect(c!.body_text).toContain("changed my mind");
    expect(c!.body_text).toContain("you will be refunded");
    expect(r!.subject).toMatch(/^Refund of €112\.30 for your order [0-9A-F]{8}$/);
    expect(r!.body_text).toMatch(/Amount refunded:\s+€112\.30/);
  });

  it("a pending order cancelled by its customer: no refund to expect", async () => {
    const o = order();
    const cancelled = await n.publish("orders.order.cancelled", {
      ...o,
      status: "cancelled",
      previousStatus: "pending",
      reason: null,
      cancelledBy: o.customerId,
    });
    const [c] = await waitForMessages(n, cancelled.id, 1);
    expect(c!.template).toBe("order_cancelled");
    expect(c!.body_text).toContain("aucun montant ne vous a été prélevé");
  });
});

describe("low-stock alerts", () => {
  const manager1fr = user({ role: "manager", storeId: STORE_1, name: "Marc Leroy", language: "fr" });
  const manager1en = user({ role: "manager", storeId: STORE_1, name: "Jane Doe", language: "en" });
  const leftManager = user({ role: "manager", storeId: STORE_1, name: "Parti" });
  const manager2 = user({ role: "manager", storeId: STORE_2, name: "Autre Magasin" });
  const clerk1 = user({ role: "clerk", storeId: STORE_1, name: "Vendeur" });
  const admin = user({ role: "admin", name: "Admin Comptoir", language: "en" });

  beforeAll(async () => {
    for (const u of [manager1fr, manager1en, leftManager, manager2, clerk1, admin]) {
      await n.publish("identity.user.registered", u);
    }
    await n.publish("identity.user.deactivated", { ...leftManager, active: false, deactivatedBy: admin.userId });
    await waitForDirectory(
      n,
      [manager1fr, manager1en, leftManager, manager2, clerk1, admin].map((u) => u.userId),
    );
    await waitFor(
      async () =>
        (await n.db.query("SELECT active FROM directory_users WHERE id = $1", [leftManager.userId])).rows[0].active,
      (active) => active === false,
      "the manager who left deactivated",
    );
  });

  it("go to the active managers of that store only, each in their language", async () => {
    const raised = await n.publish("inventory.alert.raised", alert({ storeId: STORE_1 }));
    const messages = await waitForMessages(n, raised.id, 2);
    expect(messages.map((m) => [m.recipient, m.language, m.template]).sort()).toEqual(
      [
        [manager1fr.email, "fr", "low_stock"],
        [manager1en.email, "en", "low_stock"],
      ].sort(),
    );
    const fr = messages.find((m) => m.language === "fr")!;
    expect(fr.subject).toBe("Stock bas : Robe d'été (RB-M)");
    expect(fr.body_text).toContain("Bonjour Marc Leroy,");
    expect(fr.body_text).toContain("dans votre magasin est de 2, pour un seuil d'alerte de 5");
    const en = messages.find((m) => m.language === "en")!;
    expect(en.subject).toBe("Low stock: Robe d'été (RB-M)");
  });

  it("at the central warehouse or the online location, go to the admins", async () => {
    for (const locationKind of ["warehouse", "online"] as const) {
      const raised = await n.publish("inventory.alert.raised", alert({ locationKind, storeId: null }));
      const [message] = await waitForMessages(n, raised.id, 1);
      expect(message).toMatchObject({ recipient: admin.email, language: "en", user_id: admin.userId });
      expect(message!.body_text).toContain(
        locationKind === "warehouse" ? "at the central warehouse" : "at the online shop's location",
      );
    }
  });

  it("of a store without an active manager, go to the admins", async () => {
    const storeWithoutManager = newId();
    const raised = await n.publish("inventory.alert.raised", alert({ storeId: storeWithoutManager }));
    const [message] = await waitForMessages(n, raised.id, 1);
    expect(message!.recipient).toBe(admin.email);
    expect(message!.body_text).toContain(`in store ${storeWithoutManager}`);
  });
});

describe("replenishment decisions", () => {
  const clerk = user({ role: "clerk", storeId: STORE_1, name: "Claire Dubois", language: "en" });
  const frClerk = user({ role: "clerk", storeId: STORE_1, name: "Louis Petit", language: "fr" });
  const manager = user({ role: "manager", storeId: STORE_1, name: "Marc Leroy" });
  const productId = newId();
  const variantId = newId();

  beforeAll(async () => {
    for (const u of [clerk, frClerk, manager]) await n.publish("identity.user.registered", u);
    await n.publish("catalog.variant.created", {
      id: variantId,
      sku: "RB-M",
      options: { size: "M" },
      price: 4990,
      compareAtPrice: null,
      currency: "EUR",
      barcode: null,
      productId,
      productName: "Robe d'été",
      productStatus: "active",
    });
    await waitForDirectory(n, [clerk.userId, frClerk.userId, manager.userId]);
    await waitFor(
      async () => (await n.db.query("SELECT 1 FROM directory_variants WHERE id = $1", [variantId])).rowCount,
      (count) => count === 1,
      "the variant in the directory",
    );
  });

  const request = (requestedBy: string, overrides = {}) =>
    supplyRequest(requestedBy, {
      lines: [
        { variantId, quantity: 5 },
        { variantId: newId(), quantity: 2 },
      ],
      decidedBy: manager.userId,
      note: "For Saturday",
      ...overrides,
    });

  it("an approval followed by the completed transfer makes one mail to the requester: completed", async () => {
    const r = request(clerk.userId);
    await n.publish("supply.request.approved", { ...r, status: "approved", reason: null });
    const completed = await n.publish("supply.request.completed", { ...r, status: "completed", reason: null });
    const [mail] = await waitForMessages(n, completed.id, 1);
    expect(mail).toMatchObject({ template: "supply_completed", recipient: clerk.email, language: "en" });
    expect(mail!.subject).toMatch(/^Replenishment [0-9A-F]{8} completed$/);
    expect(mail!.body_text).toContain("approved by Marc Leroy");
    expect(mail!.body_text).toContain("5 × Robe d'été — M (RB-M)");
    expect(mail!.body_text).toMatch(/2 × item [0-9a-f-]{36}/);
    expect(mail!.body_text).toContain("For Saturday");
    expect(await byTopic(`supply-request:${r.requestId}`)).toEqual([
      { template: "supply_approved", status: "superseded" },
      { template: "supply_completed", status: "stored" },
    ]);
  });

  it("an approval whose transfer takes time is told as such, after a moment", async () => {
    const r = request(frClerk.userId);
    const approved = await n.publish("supply.request.approved", { ...r, status: "approved", reason: null });
    const [held] = await waitForMessages(n, approved.id, 1, ["queued"]);
    expect(held!.template).toBe("supply_approved");
    const [mail] = await waitForMessages(n, approved.id, 1, ["stored"]);
    expect(mail!.subject).toMatch(/^Demande de réapprovisionnement [0-9A-F]{8} approuvée$/);
    expect(mail!.body_text).toContain("approuvée par Marc Leroy");
  });

  it("a rejection and a failure give their reason, in the requester's language", async () => {
    const rejected = await n.publish("supply.request.rejected", {
      ...request(frClerk.userId),
      status: "rejected",
      reason: "Stock central réservé aux soldes",
    });
    const failed = await n.publish("supply.request.failed", {
      ...request(clerk.userId),
      status: "failed",
      reason: "reserve: Not enough stock (3 of 5 available)",
    });
    const [r] = await waitForMessages(n, rejected.id, 1);
    const [f] = await waitForMessages(n, failed.id, 1);
    expect(r!.subject).toMatch(/^Demande de réapprovisionnement [0-9A-F]{8} refusée$/);
    expect(r!.body_text).toMatch(/Motif\u00a0:\s+Stock central réservé aux soldes/);
    expect(r!.recipient).toBe(frClerk.email);
    expect(f!.subject).toMatch(/^Replenishment [0-9A-F]{8} failed$/);
    expect(f!.body_text).toMatch(/Reason:\s+reserve: Not enough stock \(3 of 5 available\)/);
  });

  it("a requester the directory never heard of gets no mail, and the event is not dead-lettered", async () => {
    const stranger = await n.publish("supply.request.rejected", {
      ...request(newId()),
      status: "rejected",
      reason: "no",
    });
    await waitForHandled(stranger.id);
    expect(await messagesOf(n, stranger.id)).toEqual([]);
    const { rows } = await n.db.query("SELECT 1 FROM dead_letters WHERE event_id = $1", [stranger.id]);
    expect(rows).toEqual([]);
  });
});

describe("the mailbox API", () => {
  const email = `Mailbox.Owner-${newId().slice(-8)}@Example.com`;
  let ids: string[] = [];

  beforeAll(async () => {
    const o = order({ email });
    const events = [
      await n.publish("identity.user.registered", user({ email })),
      await n.publish("orders.order.paid", o),
      await n.publish("orders.order.shipped", { ...o, status: "shipped", carrier: null, trackingNumber: null }),
      await n.publish("orders.order.refunded", { ...o, status: "refunded", refundedAmount: 1250, reason: null }),
    ];
    // Different subjects travel in different partitions: wait for each, in turn.
    for (const event of events) ids.push((await waitForMessages(n, event.id, 1))[0]!.id);
    ids = ids.reverse();
  });

  it("lists messages newest first, filtered by recipient (any case), template and status", async () => {
    const all = await n.admin.get(`/api/notifications/messages?to=${encodeURIComponent(email.toLowerCase())}`);
    expect(all.status).toBe(200);
    expect(all.body.pagination).toEqual({ page: 1, limit: 50, total: 4 });
    expect(all.body.data.map((m: { template: string }) => m.template).sort()).toEqual(
      ["order_confirmed", "order_refunded", "order_shipped", "welcome"].sort(),
    );
    const times = all.body.data.map((m: { createdAt: string }) => m.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(all.body.data[0]).not.toHaveProperty("html");

    const shipped = await n.admin.get(
      `/api/notifications/messages?to=${encodeURIComponent(email)}&template=order_shipped`,
    );
    expect(shipped.body.data).toHaveLength(1);
    expect(shipped.body.data[0]).toMatchObject({ to: email, template: "order_shipped", status: "stored", attempts: 0 });

    const stored = await n.admin.get(`/api/notifications/messages?to=${encodeURIComponent(email)}&status=stored`);
    expect(stored.body.pagination.total).toBe(4);
    const dead = await n.admin.get(`/api/notifications/messages?to=${encodeURIComponent(email)}&status=dead`);
    expect(dead.body).toEqual({ data: [], pagination: { page: 1, limit: 50, total: 0 } });

    const bad = await n.admin.get("/api/notifications/messages?template=newsletter");
    expect(bad.status).toBe(400);
  });

  it("pages through them", async () => {
    const to = encodeURIComponent(email);
    const page1 = await n.admin.get(`/api/notifications/messages?to=${to}&limit=3&page=1`);
    const page2 = await n.admin.get(`/api/notifications/messages?to=${to}&limit=3&page=2`);
    const page3 = await n.admin.get(`/api/notifications/messages?to=${to}&limit=3&page=3`);
    expect(page1.body.data).toHaveLength(3);
    expect(page2.body.data).toHaveLength(1);
    expect(page2.body.pagination).toEqual({ page: 2, limit: 3, total: 4 });
    expect(page3.body).toEqual({ data: [], pagination: { page: 3, limit: 3, total: 4 } });
    const seen = [...page1.body.data, ...page2.body.data].map((m: { id: string }) => m.id);
    expect(new Set(seen).size).toBe(4);
    for (const query of ["page=100000000000000000&limit=100", "page=5001", "page=-1", "page=1.5", "limit=abc"]) {
      const res = await n.admin.get(`/api/notifications/messages?to=${to}&${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get("content-type"), query).toMatch(/^application\/problem\+json/);
      expect(res.body.code, query).toBe("validation_failed");
    }
  });

  it("shows one message with its text and HTML; an unknown one is a 404", async () => {
    const one = await n.admin.get(`/api/notifications/messages/${ids[0]}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: ids[0], to: email, status: "stored", lastError: null, nextAttemptAt: null });
    expect(one.body.text).toContain("Bonjour");
    expect(one.body.html).toContain("<!DOCTYPE html>");
    expect(one.body.deliveredAt).toEqual(expect.any(String));

    const missing = await n.admin.get(`/api/notifications/messages/${newId()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("message_not_found");
    expect((await n.admin.get("/api/notifications/messages/not-an-id")).status).toBe(400);
  });

  it("is for admins: anonymous 401, customer and manager 403", async () => {
    for (const path of ["/api/notifications/messages", `/api/notifications/messages/${ids[0]}`]) {
      expect((await n.anonymous.get(path)).status).toBe(401);
      expect((await n.customer.get(path)).status).toBe(403);
      expect((await n.manager.get(path)).status).toBe(403);
      expect((await n.admin.get(path)).status).toBe(200);
    }
    const retry = `/api/notifications/messages/${ids[0]}/retry`;
    expect((await n.anonymous.post(retry)).status).toBe(401);
    expect((await n.manager.post(retry)).status).toBe(403);
    const notDead = await n.admin.post(retry);
    expect(notDead.status).toBe(409);
    expect(notDead.body.code).toBe("message_not_dead");
    expect((await n.admin.post(`/api/notifications/messages/${newId()}/retry`)).status).toBe(404);
  });
});

describe("an event delivered again", () => {
  const countMessages = async () =>
    (await n.db.query<{ n: number }>("SELECT count(*)::int AS n FROM messages")).rows[0]!.n;
  const snapshot = async () =>
    (await n.db.query("SELECT id, status FROM messages ORDER BY id")).rows as { id: string; status: string }[];
  const caughtUp = () =>
    waitFor(
      async () => (await n.admin.get("/api/notifications/admin/events/status")).body,
      (status: { groups: { group: string; lag: Record<string, number>; partitionsHere: number }[] }) =>
        status.groups.every((g) => g.partitionsHere > 0 && Object.values(g.lag).every((lag) => lag === 0)),
      "the consumer groups caught up",
    );

  it("makes no second message: once more by the transport (inbox), or replayed from the start (inbox cleared)", async () => {
    const o = order();
    const paid = await n.publish("orders.order.paid", o);
    await waitForMessages(n, paid.id, 1);
    await sleep(HOLD_MS + 300); // provisional mails of the tests above have gone out
    await caughtUp();
    const before = await snapshot();
    expect(before.length).toBeGreaterThan(20);

    // The transport forgets how far the groups read (a lost offset): a new instance gets every event again.
    await n.restart({ rewind: true });
    await caughtUp();
    await sleep(300);
    expect(await snapshot()).toEqual(before);

    // An admin rewinds the mail group: the inbox is cleared, and the handlers run again for every event
    // (with today's directory: the store has a manager more than when its alert was raised).
    const replay = await n.admin.post("/api/notifications/admin/events/replay", {
      group: "notifications",
      fromStart: true,
    });
    expect(replay.status).toBe(200);
    await waitFor(
      async () =>
        (await n.db.query("SELECT count(*)::int AS n FROM inbox WHERE consumer_group = 'notifications'")).rows[0]
          .n as number,
      (handled) => handled > 20,
      "the mail group handling events again",
    );
    await caughtUp();
    await sleep(300);
    expect(await countMessages()).toBe(before.length);
    expect(await snapshot()).toEqual(before);
    expect(await messagesOf(n, paid.id)).toHaveLength(1);
  });
});
