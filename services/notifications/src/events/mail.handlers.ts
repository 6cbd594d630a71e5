import { type EventEnvelope, SEED_HISTORY_SOURCE } from "@comptoir/contracts";
import type { EventBus, HandlerContext } from "@comptoir/events";
import * as mailing from "../domain/mailing.use-cases";
import { type MailPlan, type OrderFact, orderMails, welcomeMails } from "../domain/mails";

/** The consumer group of the mails. */
export const MAIL_GROUP = "notifications";

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
export function mailHandlers(bus: EventBus, deps: mailing.MailingDeps): void {
  bus.subscribe(MAIL_GROUP, ["identity.user.registered"], async (event, tx) =>
    mailing.queueMails(deps, tx, event, welcomeMails(event.data)),
  );

  bus.subscribe(MAIL_GROUP, ORDER_TYPES, async (event, tx) => {
    // Synthetic sales history for reports (comptoir reporting seed-history): nobody's order, no mail.
    if (event.source === SEED_HISTORY_SOURCE) return;
    await mailing.queueMails(deps, tx, event, orderMails(event as OrderFact));
  });

  bus.subscribe(MAIL_GROUP, ["inventory.alert.raised"], async (event, tx, context) => {
    const alert = event.data;
    const plan =
      (await mailing.lowStockPlan(tx, alert)) ??
      notKnownYet(context, event, alert.storeId ? `a manager of store ${alert.storeId} or an admin` : "an admin");
    await mailing.queueMails(deps, tx, event, plan);
  });

  bus.subscribe(MAIL_GROUP, SUPPLY_TYPES, async (event, tx, context) => {
    const plan =
      (await mailing.supplyPlan(tx, event.type, event.data)) ??
      notKnownYet(context, event, `requester ${event.data.requestedBy}`);
    await mailing.queueMails(deps, tx, event, plan);
  });
}
