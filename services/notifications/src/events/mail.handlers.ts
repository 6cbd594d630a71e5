import type { EventEnvelope } from "@comptoir/contracts";
import { type EventBus, type HandlerContext, newId, type Tx } from "@comptoir/platform";
import * as directory from "../db/directory.repo";
import * as messages from "../db/messages.repo";
import {
  lowStockMails,
  type MailPlan,
  type OrderFact,
  orderMails,
  PROVISIONAL_TEMPLATES,
  supplyMails,
  welcomeMails,
} from "../domain/mails";
import { render } from "../templates";

/** The consumer group of the mails. */
export const MAIL_GROUP = "notifications";

export interface MailHandlerDeps {
  /** How long a provisional mail waits for the fact that would replace it (ms). */
  holdMs: number;
  /** Wakes the sender once `tx` has committed (see app.ts). */
  wakeAfterCommit(tx: Tx): void;
}

/**
 * The directory (users, variants) is fed by another consumer group, which may lag behind this one
 * by a moment (the two read different streams). A mail whose recipient is not known yet is retried
 * this many times (the bus's backoff: ~0.2 s, then ~0.4 s), then given up with a warning rather
 * than dead-lettered: a user who never registered will not appear later.
 */
const DIRECTORY_WAIT_ATTEMPTS = 3;

/** Throws (to be retried) while the directory may still catch up; then plans no mail. */
function notKnownYet(context: HandlerContext, event: EventEnvelope, what: string): MailPlan {
  if (context.attempt < DIRECTORY_WAIT_ATTEMPTS) throw new Error(`${what} is not in the directory yet`);
  context.logger.warn({ eventId: event.id, eventType: event.type }, `${what} is unknown: no mail`);
  return NO_MAIL;
}

const NO_MAIL: MailPlan = { mails: [], topic: null, provisional: false, supersedes: false };

const ORDER_TYPES = [
  "orders.order.placed",
  "orders.order.paid",
  "orders.order.shipped",
  "orders.order.cancelled",
  "orders.order.refunded",
] as const;

const SUPPLY_TYPES = [
  "supply.request.approved",
  "supply.request.rejected",
  "supply.request.completed",
  "supply.request.failed",
] as const;

/**
 * From facts to mails, in consumer group "notifications". A handler only writes message rows (status
 * `queued`) in the transaction that records the event as handled: a redelivered event finds its id
 * in the inbox and writes nothing, and one replayed from the start (inbox cleared) finds it in
 * `mailed_events` and writes nothing either. The sender delivers them after the commit.
 */
export function mailHandlers(bus: EventBus, deps: MailHandlerDeps): void {
  async function queue(tx: Tx, event: EventEnvelope, plan: MailPlan): Promise<void> {
    const mails = plan.mails.map((mail) => ({
      id: newId(),
      eventId: event.id,
      eventType: event.type,
      template: mail.template,
      to: mail.to,
      userId: mail.userId,
      language: mail.language,
      ...render(mail.template, mail.language, mail.data as never),
      topic: plan.topic,
      holdMs: plan.provisional ? deps.holdMs : 0,
    }));
    const supersede =
      plan.supersedes && plan.topic ? { topic: plan.topic, templates: PROVISIONAL_TEMPLATES } : undefined;
    const queued = await messages.queueMails(tx, event, mails, supersede);
    if (queued && !plan.provisional) deps.wakeAfterCommit(tx);
  }

  bus.subscribe(MAIL_GROUP, ["identity.user.registered"], async (event, tx) =>
    queue(tx, event, welcomeMails(event.data)),
  );

  bus.subscribe(MAIL_GROUP, ORDER_TYPES, async (event, tx) => queue(tx, event, orderMails(event as OrderFact)));

  bus.subscribe(MAIL_GROUP, ["inventory.alert.raised"], async (event, tx, context) => {
    const alert = event.data;
    const managers = alert.storeId ? await directory.activeStaff(tx, "manager", alert.storeId) : [];
    const admins = managers.length > 0 ? [] : await directory.activeStaff(tx, "admin");
    const plan =
      managers.length === 0 && admins.length === 0
        ? notKnownYet(context, event, alert.storeId ? `a manager of store ${alert.storeId} or an admin` : "an admin")
        : lowStockMails(alert, managers, admins);
    await queue(tx, event, plan);
  });

  bus.subscribe(MAIL_GROUP, SUPPLY_TYPES, async (event, tx, context) => {
    const request = event.data;
    const people = await directory.findUsers(tx, [
      request.requestedBy,
      ...(request.decidedBy ? [request.decidedBy] : []),
    ]);
    const requester = people.find((p) => p.id === request.requestedBy);
    if (!requester) return queue(tx, event, notKnownYet(context, event, `requester ${request.requestedBy}`));
    const decider = people.find((p) => p.id === request.decidedBy);
    const variantIds = request.lines.map((l) => l.variantId);
    const known = new Map((await directory.findVariants(tx, variantIds)).map((v) => [v.id, v]));
    const lines = request.lines.map((l) => {
      const v = known.get(l.variantId);
      return {
        variantId: l.variantId,
        quantity: l.quantity,
        productName: v?.productName ?? null,
        options: v?.options ?? "",
        sku: v?.sku ?? null,
      };
    });
    await queue(tx, event, supplyMails(event.type, request, requester, decider, lines));
  });
}
