import { Writable } from "node:stream";
import { createPgLogTransport, EventBus } from "@comptoir/events";
import { createLogger, newId } from "@comptoir/platform";
import { testLogger } from "@comptoir/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app";
import { DEFAULT_MAIL_FROM } from "../src/config";
import { retryDelay } from "../src/model/message";
import { createSmtpMailer } from "../src/mail/smtp.mailer";
import { type Notifications, order, startNotifications, waitFor, waitForMessages } from "./support/harness";
import { startSmtp, type TestSmtp } from "./support/smtp";

/**
 * Delivery through a real SMTP server (smtp-server, on a free port): what reaches it, the server
 * going away and coming back, a recipient it keeps refusing (dead, then requeued by an admin).
 */
let smtp: TestSmtp;
let n: Notifications;
const SETTINGS = { maxAttempts: 4, retryBaseMs: 300, retryMaxMs: 2000 };

/**
 * What the sender decided about each failed attempt, as it logged it ("will retry in …"): the
 * row's own next_attempt_at cannot tell, since a claim for the next attempt overwrites it with
 * the claim's lease, at a moment the suite's load decides.
 */
const retries: { messageId: string; attempts: number; retryInMs: number }[] = [];
const logged = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line) continue;
      const record = JSON.parse(line);
      if (record.msg === "mail not sent: will retry") retries.push(record);
    }
    done();
  },
});

beforeAll(async () => {
  smtp = await startSmtp();
  n = await startNotifications("smtp", {
    mailer: createSmtpMailer({ url: smtp.url, from: DEFAULT_MAIL_FROM, timeoutMs: 2000 }),
    delivery: SETTINGS,
    logger: createLogger({ service: "notifications", level: "warn", destination: logged }),
  });
});
// Whatever a test did to the server (stopped it, made it refuse someone), the next one finds it
// listening and accepting everyone, even when that test failed half-way.
afterEach(async () => {
  smtp.refuse = () => undefined;
  await smtp.start();
});
afterAll(async () => {
  await n?.close();
  await smtp?.stop();
});

const row = async (id: string) =>
  (
    await n.db.query<{
      status: string;
      attempts: number;
      last_error: string | null;
      delay_ms: number;
      delivered_at: Date | null;
    }>(
      `SELECT status, attempts, last_error, delivered_at,
              (extract(epoch FROM next_attempt_at - updated_at) * 1000)::int AS delay_ms
         FROM messages WHERE id = $1`,
      [id],
    )
  ).rows[0]!;

const receivedBy = (address: string) => smtp.received.filter((m) => m.to.includes(address));

const metric = async (pattern: RegExp) => {
  const text = (await n.anonymous.get("/metrics")).body as string;
  const line = text.split("\n").find((l) => pattern.test(l));
  return line ? Number(line.split(" ").pop()) : 0;
};

describe("with SMTP", () => {
  it("the mail reaches the server, from MAIL_FROM, with its subject and both parts, and the row becomes sent", async () => {
    const o = order();
    const event = await n.publish("orders.order.paid", o);
    const [message] = await waitForMessages(n, event.id, 1, ["sent"]);
    const [mail, ...more] = receivedBy(o.email);
    expect(more).toEqual([]);
    expect(mail!.from).toBe("no-reply@comptoir.local");
    expect(mail!.fromHeader).toBe("Comptoir <no-reply@comptoir.local>");
    expect(mail!.to).toEqual([o.email]);
    expect(mail!.subject).toBe(message!.subject);
    expect(mail!.subject).toMatch(/^Votre commande [0-9A-F]{8} est confirmée$/);
    expect(mail!.text).toContain("2 × Robe d'été (RB-M) — 99,80\u00a0€");
    expect(mail!.text).toBe(message!.body_text);
    expect(mail!.html).toContain("Robe d&#39;été");
    expect(mail!.messageId).toBe(`<${message!.id}@comptoir.local>`);
    expect(await row(message!.id)).toMatchObject({ status: "sent", attempts: 1, last_error: null });
    expect((await row(message!.id)).delivered_at).toBeInstanceOf(Date);
    expect(await metric(/^notifications_messages_total\{template="order_confirmed",outcome="sent"/)).toBeGreaterThan(0);
  });

  it("while the server is down, a mail is retried with growing delays, then sent once it is back", async () => {
    await smtp.stop();
    const o = order({ language: "en" });
    const event = await n.publish("orders.order.paid", o);
    const [first] = await waitForMessages(n, event.id, 1, ["queued"]);
    const decided = () => retries.filter((r) => r.messageId === first!.id);
    // The row is marked before the decision is logged: wait for both.
    const failed = await waitFor(
      () => row(first!.id),
      (r) => r.attempts >= 2 && decided().length >= 2,
      "two failed attempts",
    );
    await smtp.start(); // back before the third attempt (600 ms later) is due
    expect(failed.status).toBe("queued");
    expect(failed.last_error).toMatch(/ECONNREFUSED|connect/i);
    expect(
      decided()
        .slice(0, 2)
        .map((r) => [r.attempts, r.retryInMs]),
    ).toEqual([
      [1, retryDelay(SETTINGS, 1)], // 300 ms
      [2, retryDelay(SETTINGS, 2)], // 600 ms
    ]);
    expect(
      await metric(/^notifications_messages_total\{template="order_confirmed",outcome="retried"/),
    ).toBeGreaterThanOrEqual(2);

    const [sent] = await waitForMessages(n, event.id, 1, ["sent"]);
    expect(sent!.attempts).toBeGreaterThan(failed.attempts);
    expect(sent!.last_error).toBeNull();
    expect(receivedBy(o.email)).toHaveLength(1);
    expect(receivedBy(o.email)[0]!.subject).toMatch(/^Your order [0-9A-F]{8} is confirmed$/);
  });

  it("a mail that keeps failing is dead after NOTIFICATIONS_MAX_ATTEMPTS; an admin's retry sends it", async () => {
    const o = order();
    smtp.refuse = (address) =>
      address === o.email ? { code: 451, message: "Mailbox temporarily unavailable" } : undefined;
    const event = await n.publish("orders.order.paid", o);
    const deadBefore = await metric(/^notifications_messages_total\{template="order_confirmed",outcome="dead"/);
    const [dead] = await waitForMessages(n, event.id, 1, ["dead"]);
    expect(dead!.attempts).toBe(SETTINGS.maxAttempts);
    expect(dead!.last_error).toContain("451");
    expect(receivedBy(o.email)).toEqual([]);
    expect(await metric(/^notifications_messages_total\{template="order_confirmed",outcome="dead"/)).toBe(
      deadBefore + 1,
    );
    expect(await metric(/^notifications_dead_messages\{/)).toBeGreaterThanOrEqual(1);

    const listed = await n.admin.get("/api/notifications/messages?status=dead");
    expect(listed.body.data.map((m: { id: string }) => m.id)).toContain(dead!.id);

    smtp.refuse = () => undefined;
    expect((await n.manager.post(`/api/notifications/messages/${dead!.id}/retry`)).status).toBe(403);
    const retried = await n.admin.post(`/api/notifications/messages/${dead!.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ id: dead!.id, status: "queued", attempts: 0 });
    await waitForMessages(n, event.id, 1, ["sent"]);
    expect(receivedBy(o.email)).toHaveLength(1);
    expect((await n.admin.post(`/api/notifications/messages/${dead!.id}/retry`)).status).toBe(409);
  });

  it("a recipient the server refuses for good (5xx) is dead at once", async () => {
    const o = order();
    smtp.refuse = (address) => (address === o.email ? { code: 550, message: "No such user" } : undefined);
    const event = await n.publish("orders.order.paid", o);
    const [dead] = await waitForMessages(n, event.id, 1, ["dead"]);
    expect(dead!.attempts).toBe(1);
    expect(dead!.last_error).toContain("550");
  });

  it("with two instances sending, each mail goes out once", async () => {
    // A second instance on the same database: its own sender (its bus is never started).
    const logger = testLogger("notifications");
    const transport = await createPgLogTransport({ url: n.testbed.eventLog.url, logger, name: "second" });
    const second = await buildApp({
      db: n.db,
      bus: new EventBus({
        service: "notifications",
        instance: "notifications-second",
        db: n.db,
        databaseUrl: n.testbed.database.url,
        transport,
        logger,
      }),
      logger,
      instance: "notifications-second",
      mailer: createSmtpMailer({ url: smtp.url, from: DEFAULT_MAIL_FROM }),
      workerMs: 20,
      delivery: SETTINGS,
    });
    await second.ready();
    try {
      const orders = Array.from({ length: 30 }, () => order({ email: `twice-${newId().slice(-12)}@example.com` }));
      const events = [];
      for (const o of orders) events.push(await n.publish("orders.order.paid", o));
      for (const event of events) await waitForMessages(n, event.id, 1, ["sent"]);
      for (const o of orders) expect(receivedBy(o.email)).toHaveLength(1);
    } finally {
      await second.close();
      await transport.close();
    }
  });

  it("/metrics shows the queue", async () => {
    const text = (await n.anonymous.get("/metrics")).body as string;
    expect(text).toMatch(/^notifications_queue_depth\{state="due"[^}]*\} 0$/m);
    expect(text).toMatch(/^notifications_queue_depth\{state="held"[^}]*\} \d+$/m);
  });
});
