import type { EventData, EventType, RawEnvelope } from "@comptoir/contracts";
import { migrationsDirOf, newId } from "@comptoir/platform";
import { createEventPublisher, startService, type StartedService, type TestApi, waitFor } from "@comptoir/testing";
import { buildApp, type NotificationsDeps } from "../../src/app";
import { DIRECTORY_GROUP } from "../../src/events/directory.handlers";
import { MAIL_GROUP } from "../../src/events/mail.handlers";

export { sleep, waitFor } from "@comptoir/testing";
export type Api = TestApi;

export type InstanceOptions = Partial<
  Pick<NotificationsDeps, "mailer" | "delivery" | "workerMs" | "holdMs" | "logger">
>;

export interface Notifications extends Omit<StartedService, "restart"> {
  manager: Api;
  customer: Api;
  /**
   * Publishes an event as its producing service would (validated against the contracts), straight
   * onto the event log this instance reads. Returns its envelope.
   */
  publish<T extends EventType>(type: T, data: EventData<T>, subject?: string): Promise<RawEnvelope>;
  /**
   * Stops this instance and starts another on the same databases (a restart). `rewind` first makes
   * the transport forget how far the mail and directory groups had read: every event is delivered again.
   */
  restart(options?: { rewind?: boolean }): Promise<void>;
}

/**
 * The notifications service (startService), its bus started. Other services are stood in for by
 * publishing their events on the log.
 */
export async function startNotifications(name: string, options: InstanceOptions = {}): Promise<Notifications> {
  const notifications = await startService({
    service: "notifications",
    name,
    migrationsDir: migrationsDirOf(import.meta.url),
    bus: { rebalanceMs: 200, waitMs: 200 },
    startBus: true,
    build: (parts) => buildApp({ ...parts, workerMs: 100, holdMs: 60_000, ...options }),
  });
  const events = await createEventPublisher(notifications.testbed.eventLog);
  notifications.onClose("the event publisher", () => events.close());
  const callers = async () => ({
    manager: await notifications.as({ role: "manager" }),
    customer: await notifications.as({ role: "customer" }),
  });
  const restart = notifications.restart;
  return Object.assign(notifications, await callers(), {
    publish: <T extends EventType>(type: T, data: EventData<T>, subject?: string) =>
      events.publish(type, data, subject ?? subjectOf(type, data)),
    async restart(restartOptions: { rewind?: boolean } = {}) {
      await restart(async () => {
        if (!restartOptions.rewind) return;
        await events.rewind(MAIL_GROUP, ["identity", "orders", "inventory", "supply"]);
        await events.rewind(DIRECTORY_GROUP, ["identity", "catalog"]);
      });
      Object.assign(notifications, await callers());
    },
  });
}

/** The subject the producing service gives the event (the aggregate's id). */
function subjectOf(type: EventType, data: any): string {
  if (type.startsWith("identity.")) return data.userId;
  if (type.startsWith("orders.")) return data.orderId;
  if (type.startsWith("supply.")) return data.requestId;
  if (type.startsWith("inventory.")) return data.variantId;
  if (type === "catalog.variant.created") return data.productId;
  if (type.startsWith("catalog.product.")) return data.id;
  throw new Error(`no subject rule for ${type}`);
}

/** A message row as stored, for assertions. */
export interface MessageRow {
  id: string;
  event_id: string;
  template: string;
  recipient: string;
  user_id: string | null;
  language: string;
  subject: string;
  body_text: string;
  body_html: string;
  status: string;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
  updated_at: Date;
}

/** The messages an event made, oldest first. */
export async function messagesOf(n: Notifications, eventId: string): Promise<MessageRow[]> {
  const { rows } = await n.db.query<MessageRow>("SELECT * FROM messages WHERE event_id = $1 ORDER BY recipient", [
    eventId,
  ]);
  return rows;
}

/** Waits until the event has made `count` messages, all with a status in `statuses`. */
export function waitForMessages(
  n: Notifications,
  eventId: string,
  count: number,
  statuses: readonly string[] = ["stored", "sent"],
): Promise<MessageRow[]> {
  return waitFor(
    () => messagesOf(n, eventId),
    (rows) => rows.length === count && rows.every((r) => statuses.includes(r.status)),
    `${count} message(s) ${statuses.join("/")} for event ${eventId}`,
  );
}

/** Waits until identity's users are in the directory (its own consumer group reads them). */
export function waitForDirectory(n: Notifications, userIds: readonly string[]): Promise<unknown> {
  return waitFor(
    async () =>
      (await n.db.query("SELECT count(*)::int AS n FROM directory_users WHERE id = ANY($1)", [userIds])).rows[0]
        .n as number,
    (count) => count === userIds.length,
    `users ${userIds.join(", ")} in the directory`,
  );
}

// Events as their producers write them.

export const STORE_1 = "0192f5a0-0000-7000-8000-000000000001";
export const STORE_2 = "0192f5a0-0000-7000-8000-000000000002";

export function user(
  overrides: Partial<EventData<"identity.user.registered">> = {},
): EventData<"identity.user.registered"> {
  const id = newId();
  return {
    userId: id,
    email: `user-${id.slice(-12)}@example.com`,
    name: "Camille Martin",
    role: "customer",
    storeId: null,
    language: "fr",
    active: true,
    ...overrides,
  };
}

export function order(overrides: Partial<EventData<"orders.order.paid">> = {}) {
  const id = newId();
  return {
    orderId: id,
    customerId: newId(),
    email: `buyer-${id.slice(-12)}@example.com`,
    language: "fr" as const,
    channel: "online" as const,
    storeId: null,
    lines: [
      { variantId: newId(), productId: newId(), sku: "RB-M", name: "Robe d'été", quantity: 2, unitPrice: 4990 },
      { variantId: newId(), productId: newId(), sku: "CT-1", name: "Ceinture", quantity: 1, unitPrice: 1250 },
    ],
    totals: { subtotal: 11230, shipping: 0, total: 11230, currency: "EUR" },
    shippingAddress: {
      name: "Camille Martin",
      line1: "12 rue des Lilas",
      line2: null,
      city: "Lyon",
      postalCode: "69003",
      country: "FR",
    },
    placedAt: new Date().toISOString(),
    status: "paid" as const,
    paymentId: newId(),
    ...overrides,
  };
}

export function alert(
  overrides: Partial<EventData<"inventory.alert.raised">> = {},
): EventData<"inventory.alert.raised"> {
  return {
    alertId: newId(),
    variantId: newId(),
    locationId: newId(),
    locationKind: "store",
    storeId: STORE_1,
    sku: "RB-M",
    productName: "Robe d'été",
    threshold: 5,
    available: 2,
    ...overrides,
  };
}

export function supplyRequest(
  requestedBy: string,
  overrides: Partial<EventData<"supply.request.failed">> = {},
): EventData<"supply.request.failed"> {
  return {
    requestId: newId(),
    storeId: STORE_1,
    locationId: newId(),
    fromLocationId: newId(),
    lines: [{ variantId: newId(), quantity: 5 }],
    note: null,
    requestedBy,
    decidedBy: newId(),
    reason: "reserve: Not enough stock",
    status: "failed",
    ...overrides,
  };
}
