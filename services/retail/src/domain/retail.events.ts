import type { Outbox } from "@comptoir/events";
import type { Queryable } from "@comptoir/platform";
import type { retailHttp } from "@comptoir/contracts/http";
import type { Store } from "../model/store";

/** Where a till document was recorded, as the events carry it. */
export interface EventPlace {
  store: { id: string; code: string; name: string; timezone: string; locationId: string };
  register: { id: string; code: string; name: string };
}

const placeOf = (p: EventPlace) => ({
  store: { id: p.store.id, code: p.store.code, name: p.store.name, timezone: p.store.timezone },
  channel: "store" as const,
  locationId: p.store.locationId,
  register: p.register,
});

const eventLines = (sale: retailHttp.Sale) =>
  sale.lines.map(({ variantId, productId, sku, name, quantity, unitPrice, discount, lineTotal, vatRate }) => ({
    variantId,
    productId,
    sku,
    name,
    quantity,
    unitPrice,
    discount,
    lineTotal,
    vatRate,
  }));

const tendersOf = (t: readonly { method: "cash" | "card" | "store_credit"; amount: number }[]) =>
  t.map(({ method, amount }) => ({ method, amount }));

/** `retail.sale.completed`, in the transaction that records the sale. */
export async function publishSaleCompleted(tx: Queryable, outbox: Outbox, sale: retailHttp.Sale, place: EventPlace) {
  const lineDiscounts = sale.lines.reduce((a, l) => a + l.lineDiscount, 0);
  await outbox.publish(tx, {
    type: "retail.sale.completed",
    subject: sale.id,
    data: {
      saleId: sale.id,
      ...placeOf(place),
      sessionId: sale.sessionId,
      cashierId: sale.cashierId,
      currency: sale.currency,
      occurredAt: sale.completedAt,
      receiptNumber: sale.receiptNumber,
      lines: eventLines(sale),
      discounts: { lines: lineDiscounts, basket: sale.discountTotal - lineDiscounts, total: sale.discountTotal },
      subtotal: sale.subtotal,
      discountTotal: sale.discountTotal,
      total: sale.total,
      vat: sale.vat,
      tenders: tendersOf(sale.tenders),
      change: sale.change,
    },
  });
}

/** `retail.sale.voided`, in the transaction that marks the sale voided. */
export async function publishSaleVoided(tx: Queryable, outbox: Outbox, sale: retailHttp.Sale, place: EventPlace) {
  await outbox.publish(tx, {
    type: "retail.sale.voided",
    subject: sale.id,
    data: {
      saleId: sale.id,
      ...placeOf(place),
      sessionId: sale.sessionId,
      cashierId: sale.cashierId,
      currency: sale.currency,
      occurredAt: sale.voidedAt!,
      receiptNumber: sale.receiptNumber,
      lines: eventLines(sale),
      total: sale.total,
      vat: sale.vat,
      refunds: tendersOf(sale.voidRefunds ?? []),
      reason: sale.voidReason ?? "voided",
    },
  });
}

/** `retail.sale.returned`, in the transaction that completes the return. */
export async function publishSaleReturned(
  tx: Queryable,
  outbox: Outbox,
  ret: retailHttp.Return,
  place: EventPlace,
  originalReceiptNumber: string | null,
) {
  await outbox.publish(tx, {
    type: "retail.sale.returned",
    subject: ret.saleId ?? ret.id,
    data: {
      ...placeOf(place),
      saleId: ret.saleId,
      returnId: ret.id,
      sessionId: ret.sessionId,
      cashierId: ret.cashierId,
      currency: ret.currency,
      occurredAt: ret.completedAt ?? ret.createdAt,
      receiptNumber: ret.receiptNumber!,
      originalReceiptNumber,
      lines: ret.lines.map(({ variantId, productId, sku, name, quantity, unitPrice, lineTotal, vatRate }) => ({
        variantId,
        productId,
        sku,
        name,
        quantity,
        unitPrice,
        lineTotal,
        vatRate,
      })),
      total: ret.total,
      vat: ret.vat,
      refunds: tendersOf(ret.refunds),
      reason: ret.reason,
    },
  });
}

/** The store's whole state, as `retail.store.*` carries it. */
const storeSnapshotOf = (s: Store) => ({
  id: s.id,
  code: s.code,
  name: s.name,
  address: s.address,
  phone: s.phone,
  email: s.email,
  managerId: s.managerId,
  openingHours: s.openingHours,
  timezone: s.timezone,
  locationId: s.locationId,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
});

/** `retail.store.created` or `.updated`, in the transaction that writes the store. */
export async function publishStore(tx: Queryable, outbox: Outbox, fact: "created" | "updated", store: Store) {
  await outbox.publish(tx, {
    type: fact === "created" ? "retail.store.created" : "retail.store.updated",
    subject: store.id,
    data: storeSnapshotOf(store),
  });
}
