import type { EventData } from "@comptoir/contracts";
import type { Language, TemplateData, TemplateName } from "../templates";
import type { SupplyLineMail } from "../templates/staff.templates";
import type { Person } from "../model/directory";

/**
 * Which mails a fact makes, to whom, in which language: plain functions of the event's data and of
 * what the directory knows. No SQL, no sending.
 */

export interface PlannedMail<N extends TemplateName = TemplateName> {
  to: string;
  userId: string | null;
  language: Language;
  template: N;
  data: TemplateData[N];
}

export type AnyPlannedMail = { [N in TemplateName]: PlannedMail<N> }[TemplateName];

export interface MailPlan {
  mails: AnyPlannedMail[];
  /** What they are about ("order:<id>", "supply-request:<id>"). */
  topic: string | null;
  /**
   * The mails announce a step whose outcome usually follows within seconds (an order awaiting its
   * payment, an approved transfer): they wait a moment before going out, and the outcome's mail
   * replaces them if it comes first, so that one checkout or one approval makes one mail.
   */
  provisional: boolean;
  /** This fact replaces the provisional mails of the same topic still waiting. */
  supersedes: boolean;
}

/** Templates of provisional mails (see MailPlan.provisional). */
export const PROVISIONAL_TEMPLATES: readonly TemplateName[] = ["order_received", "supply_approved"];

const nothing = (topic: string | null = null, supersedes = false): MailPlan => ({
  mails: [],
  topic,
  provisional: false,
  supersedes,
});

/** Welcome: customers only (staff accounts are created by an admin, who tells them). */
export function welcomeMails(user: EventData<"identity.user.registered">): MailPlan {
  if (user.role !== "customer" || !user.active) return nothing();
  return {
    mails: [
      { to: user.email, userId: user.userId, language: user.language, template: "welcome", data: { name: user.name } },
    ],
    topic: null,
    provisional: false,
    supersedes: false,
  };
}

type OrderEventType =
  | "orders.order.placed"
  | "orders.order.paid"
  | "orders.order.shipped"
  | "orders.order.cancelled"
  | "orders.order.refunded";

/** An order event as the mails need it (an envelope is one). */
export type OrderFact = { [T in OrderEventType]: { type: T; data: EventData<T> } }[OrderEventType];

/**
 * The customer's mails about an order, at the order's address and in its language:
 * - placed and still pending: "received, awaiting payment" (provisional: the payment's outcome,
 *   paid or cancelled, usually follows at once and replaces it); placed already paid: nothing
 *   (the paid event follows);
 * - paid: the confirmation; shipped: with carrier and tracking number; refunded: with the amount;
 * - cancelled: the cancellation, except for a checkout that never went through (a pending order
 *   the system cancelled: the customer was told on the spot and charged nothing).
 */
export function orderMails(fact: OrderFact): MailPlan {
  const order = fact.data;
  const topic = `order:${order.orderId}`;
  const to = { to: order.email, userId: order.customerId, language: order.language };
  const one = (mail: AnyPlannedMail, provisional = false): MailPlan => ({
    mails: [mail],
    topic,
    provisional,
    supersedes: !provisional,
  });
  switch (fact.type) {
    case "orders.order.placed":
      return fact.data.status === "pending"
        ? one({ ...to, template: "order_received", data: fact.data }, true)
        : nothing(topic);
    case "orders.order.paid":
      return one({ ...to, template: "order_confirmed", data: fact.data });
    case "orders.order.shipped":
      return one({ ...to, template: "order_shipped", data: fact.data });
    case "orders.order.cancelled": {
      const o = fact.data;
      if (o.previousStatus === "pending" && o.cancelledBy === null) return nothing(topic, true);
      return one({ ...to, template: "order_cancelled", data: { ...o, refundFollows: o.previousStatus === "paid" } });
    }
    case "orders.order.refunded":
      return one({ ...to, template: "order_refunded", data: fact.data });
  }
}

/**
 * A low-stock alert goes to the active managers of the alert's store, each in their language; to
 * the admins when the location is no store's (the central warehouse, the online location) or when
 * the store has no active manager the directory knows of.
 */
export function lowStockMails(
  alert: EventData<"inventory.alert.raised">,
  storeManagers: readonly Person[],
  admins: readonly Person[],
): MailPlan {
  const ownStore = alert.storeId !== null && storeManagers.length > 0;
  const recipients = (ownStore ? storeManagers : admins).filter((p) => p.active);
  return {
    mails: recipients.map((p) => ({
      to: p.email,
      userId: p.id,
      language: p.language,
      template: "low_stock" as const,
      data: {
        name: p.name,
        productName: alert.productName,
        sku: alert.sku,
        available: alert.available,
        threshold: alert.threshold,
        locationKind: alert.locationKind,
        storeId: alert.storeId,
        ownStore,
      },
    })),
    topic: `stock-alert:${alert.alertId}`,
    provisional: false,
    supersedes: false,
  };
}

export type SupplyEventType =
  "supply.request.approved" | "supply.request.rejected" | "supply.request.completed" | "supply.request.failed";

const SUPPLY_TEMPLATES = {
  "supply.request.approved": "supply_approved",
  "supply.request.rejected": "supply_rejected",
  "supply.request.completed": "supply_completed",
  "supply.request.failed": "supply_failed",
} as const satisfies Record<SupplyEventType, TemplateName>;

/**
 * The decision on a replenishment request, to the person who asked for it, in their language. The
 * approval is provisional: the transfer usually completes (or fails) within the same second, and
 * that mail then replaces it. Nothing for a requester who is no longer active.
 */
export function supplyMails(
  type: SupplyEventType,
  request: EventData<SupplyEventType>,
  requester: Person,
  decider: Person | undefined,
  lines: readonly SupplyLineMail[],
): MailPlan {
  const topic = `supply-request:${request.requestId}`;
  const approved = type === "supply.request.approved";
  if (!requester.active) return nothing(topic, !approved);
  return {
    mails: [
      {
        to: requester.email,
        userId: requester.id,
        language: requester.language,
        template: SUPPLY_TEMPLATES[type],
        data: {
          name: requester.name,
          requestId: request.requestId,
          lines,
          note: request.note,
          decidedByName: decider?.name ?? null,
          reason: request.reason,
        },
      },
    ],
    topic,
    provisional: approved,
    supersedes: !approved,
  };
}
