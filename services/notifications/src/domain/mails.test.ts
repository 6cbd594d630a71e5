import { describe, expect, it } from "vitest";
import type { Person } from "../model/directory";
import { lowStockMails, orderMails, supplyMails, welcomeMails } from "./mails";

const order = {
  orderId: "0192f5a0-0000-7000-8000-0000000000a1",
  customerId: null,
  email: "guest@example.com",
  language: "en" as const,
  channel: "online" as const,
  storeId: null,
  lines: [{ variantId: "v", productId: "p", sku: "S", name: "N", quantity: 1, unitPrice: 100 }],
  totals: { subtotal: 100, shipping: 0, total: 100, currency: "EUR" },
  shippingAddress: null,
  placedAt: "2025-03-01T09:30:00.000Z",
};
const person = (over: Partial<Person> = {}): Person => ({
  id: "u1",
  email: "u1@example.com",
  name: "U1",
  language: "fr",
  active: true,
  ...over,
});
const alert = {
  alertId: "a",
  variantId: "v",
  locationId: "l",
  locationKind: "store" as const,
  storeId: "s1",
  sku: "S",
  productName: "N",
  threshold: 5,
  available: 1,
};

describe("which mails a fact makes", () => {
  it("a welcome for customers only", () => {
    const u = { userId: "u", email: "c@example.com", name: "C", storeId: null, language: "fr" as const, active: true };
    expect(welcomeMails({ ...u, role: "customer" }).mails).toHaveLength(1);
    expect(welcomeMails({ ...u, role: "clerk" }).mails).toEqual([]);
  });

  it("one mail per checkout: placed is provisional when pending, nothing when already paid", () => {
    const pending = orderMails({ type: "orders.order.placed", data: { ...order, status: "pending" } });
    expect(pending).toMatchObject({ provisional: true, supersedes: false, topic: `order:${order.orderId}` });
    expect(pending.mails.map((m) => m.template)).toEqual(["order_received"]);
    expect(orderMails({ type: "orders.order.placed", data: { ...order, status: "paid" } }).mails).toEqual([]);
    const paid = orderMails({ type: "orders.order.paid", data: { ...order, status: "paid", paymentId: "p" } });
    expect(paid).toMatchObject({ provisional: false, supersedes: true });
    expect(paid.mails[0]).toMatchObject({ to: "guest@example.com", userId: null, language: "en" });
  });

  it("a failed checkout (pending, cancelled by the system) makes no mail but replaces the provisional one", () => {
    const cancelled = { ...order, status: "cancelled" as const, reason: null };
    const failed = orderMails({
      type: "orders.order.cancelled",
      data: { ...cancelled, previousStatus: "pending", cancelledBy: null },
    });
    expect(failed).toMatchObject({ mails: [], supersedes: true });
    const byStaff = orderMails({
      type: "orders.order.cancelled",
      data: { ...cancelled, previousStatus: "paid", cancelledBy: "staff" },
    });
    expect(byStaff.mails[0]).toMatchObject({ template: "order_cancelled", data: { refundFollows: true } });
  });

  it("a store's alert goes to its active managers, otherwise to the admins", () => {
    const managers = [person({ id: "m1", email: "m1@x.com" }), person({ id: "m2", email: "m2@x.com", language: "en" })];
    const admins = [person({ id: "a1", email: "a1@x.com" })];
    const toManagers = lowStockMails(alert, managers, admins);
    expect(toManagers.mails.map((m) => [m.to, m.language])).toEqual([
      ["m1@x.com", "fr"],
      ["m2@x.com", "en"],
    ]);
    expect(toManagers.mails[0]!.data).toMatchObject({ ownStore: true, name: "U1" });
    const toAdmins = lowStockMails({ ...alert, locationKind: "warehouse", storeId: null }, [], admins);
    expect(toAdmins.mails.map((m) => m.to)).toEqual(["a1@x.com"]);
    expect(toAdmins.mails[0]!.data).toMatchObject({ ownStore: false });
  });

  it("a decision goes to an active requester; the approval is provisional, the outcome replaces it", () => {
    const request = {
      requestId: "r",
      storeId: "s1",
      locationId: "l",
      fromLocationId: "c",
      lines: [{ variantId: "v", quantity: 1 }],
      note: null,
      requestedBy: "u1",
      decidedBy: "m",
      reason: null,
    };
    const approved = supplyMails(
      "supply.request.approved",
      { ...request, status: "approved" },
      person(),
      undefined,
      [],
    );
    expect(approved).toMatchObject({ provisional: true, supersedes: false, topic: "supply-request:r" });
    const completed = supplyMails(
      "supply.request.completed",
      { ...request, status: "completed" },
      person(),
      undefined,
      [],
    );
    expect(completed).toMatchObject({ provisional: false, supersedes: true });
    expect(completed.mails[0]!.template).toBe("supply_completed");
    const gone = supplyMails(
      "supply.request.completed",
      { ...request, status: "completed" },
      person({ active: false }),
      undefined,
      [],
    );
    expect(gone).toMatchObject({ mails: [], supersedes: true });
  });
});
