import { randomUUID } from "node:crypto";
import { type EventData, vatBreakdown } from "@comptoir/contracts";

/**
 * Event payloads as orders, retail and catalog publish them (valid against the contracts), built
 * from the few figures a test cares about. Every amount in cents.
 */

export interface StoreRef {
  id: string;
  code: string;
  name: string;
  timezone: string;
}

export const newStore = (code: string, timezone: string): StoreRef => ({
  id: randomUUID(),
  code,
  name: `Store ${code}`,
  timezone,
});

export interface Item {
  variantId: string;
  productId: string;
  name: string;
  unitPrice: number;
  vatRate: 2000 | 1000 | 550 | 210;
}

export const newItem = (
  name: string,
  unitPrice: number,
  vatRate: Item["vatRate"] = 2000,
  productId = randomUUID(),
): Item => ({
  variantId: randomUUID(),
  productId,
  name,
  unitPrice,
  vatRate,
});

export interface OrderLineInput {
  item: Item;
  quantity: number;
}

const ADDRESS = {
  name: "Ada",
  line1: "1 rue de la Paix",
  line2: null,
  city: "Paris",
  postalCode: "75002",
  country: "FR",
};

function orderFields(orderId: string, lines: readonly OrderLineInput[], shipping: number, withVat: boolean) {
  const subtotal = lines.reduce((s, l) => s + l.quantity * l.item.unitPrice, 0);
  const total = subtotal + shipping;
  const highest = Math.max(...lines.map((l) => l.item.vatRate));
  const vat = vatBreakdown([
    ...lines.map((l) => ({ vatRate: l.item.vatRate, total: l.quantity * l.item.unitPrice })),
    ...(shipping > 0 ? [{ vatRate: highest, total: shipping }] : []),
  ]);
  return {
    orderId,
    customerId: null,
    email: "ada@example.com",
    language: "fr" as const,
    channel: "online" as const,
    storeId: null,
    lines: lines.map((l) => ({
      variantId: l.item.variantId,
      productId: l.item.productId,
      sku: `SKU-${l.item.variantId.slice(0, 8)}`,
      name: l.item.name,
      quantity: l.quantity,
      unitPrice: l.item.unitPrice,
      vatRate: l.item.vatRate,
    })),
    totals: { subtotal, shipping, total, currency: "EUR" },
    ...(withVat ? { vat: vat as EventData<"orders.order.paid">["vat"] } : {}),
    shippingAddress: ADDRESS,
    placedAt: "2026-03-01T10:00:00.000Z",
  };
}

export function orderPaid(
  lines: readonly OrderLineInput[],
  options: { orderId?: string; shipping?: number; withVat?: boolean } = {},
): EventData<"orders.order.paid"> {
  return {
    ...orderFields(options.orderId ?? randomUUID(), lines, options.shipping ?? 0, options.withVat ?? true),
    status: "paid",
    paymentId: randomUUID(),
  };
}

export function orderRefunded(
  paid: EventData<"orders.order.paid">,
  refundedAmount: number,
): EventData<"orders.order.refunded"> {
  return { ...paid, status: "refunded", refundedAmount, reason: "returned" };
}

export function orderCancelled(paid: EventData<"orders.order.paid">): EventData<"orders.order.cancelled"> {
  const { paymentId: _, ...order } = paid;
  return { ...order, status: "cancelled", previousStatus: "paid", reason: null, cancelledBy: null };
}

export function orderPlaced(paid: EventData<"orders.order.paid">): EventData<"orders.order.placed"> {
  const { paymentId: _, ...order } = paid;
  return { ...order, status: "pending" };
}

export interface SaleLineInput {
  item: Item;
  quantity: number;
  discount?: number;
}

const REGISTER = { id: randomUUID(), code: "R1", name: "Register 1" };

function documentFields(store: StoreRef, at: string) {
  return {
    store,
    channel: "store" as const,
    locationId: randomUUID(),
    register: REGISTER,
    sessionId: randomUUID(),
    cashierId: randomUUID(),
    currency: "EUR",
    occurredAt: at,
  };
}

function saleLines(lines: readonly SaleLineInput[]) {
  return lines.map((l) => ({
    variantId: l.item.variantId,
    productId: l.item.productId,
    sku: `SKU-${l.item.variantId.slice(0, 8)}`,
    name: l.item.name,
    quantity: l.quantity,
    unitPrice: l.item.unitPrice,
    discount: l.discount ?? 0,
    lineTotal: l.quantity * l.item.unitPrice - (l.discount ?? 0),
    vatRate: l.item.vatRate,
  }));
}

export function saleCompleted(
  store: StoreRef,
  at: string,
  lines: readonly SaleLineInput[],
  saleId = randomUUID(),
): EventData<"retail.sale.completed"> {
  const sold = saleLines(lines);
  const total = sold.reduce((s, l) => s + l.lineTotal, 0);
  const discountTotal = sold.reduce((s, l) => s + l.discount, 0);
  return {
    ...documentFields(store, at),
    saleId,
    receiptNumber: `T-${saleId.slice(0, 8)}`,
    lines: sold,
    discounts: { lines: discountTotal, basket: 0, total: discountTotal },
    subtotal: total + discountTotal,
    discountTotal,
    total,
    vat: vatBreakdown(sold.map((l) => ({ vatRate: l.vatRate, total: l.lineTotal }))),
    tenders: [{ method: "card", amount: total }],
    change: 0,
  };
}

/** Voids a sale, `at` (its own instant: the sale's day is the one it leaves). */
export function saleVoided(sale: EventData<"retail.sale.completed">, at: string): EventData<"retail.sale.voided"> {
  return {
    ...documentFields(sale.store, at),
    saleId: sale.saleId,
    receiptNumber: sale.receiptNumber,
    lines: sale.lines,
    total: sale.total,
    vat: sale.vat,
    refunds: [{ method: "card", amount: sale.total }],
    reason: "customer changed their mind",
  };
}

export function saleReturned(
  store: StoreRef,
  at: string,
  lines: readonly { item: Item; quantity: number }[],
  saleId: string | null = null,
): EventData<"retail.sale.returned"> {
  const returned = lines.map((l) => ({
    variantId: l.item.variantId,
    productId: l.item.productId,
    sku: `SKU-${l.item.variantId.slice(0, 8)}`,
    name: l.item.name,
    quantity: l.quantity,
    unitPrice: l.item.unitPrice,
    lineTotal: l.quantity * l.item.unitPrice,
    vatRate: l.item.vatRate,
  }));
  const total = returned.reduce((s, l) => s + l.lineTotal, 0);
  const returnId = randomUUID();
  return {
    ...documentFields(store, at),
    saleId,
    returnId,
    receiptNumber: `R-${returnId.slice(0, 8)}`,
    originalReceiptNumber: saleId ? `T-${saleId.slice(0, 8)}` : null,
    lines: returned,
    total,
    vat: vatBreakdown(returned.map((l) => ({ vatRate: l.vatRate, total: l.lineTotal }))),
    refunds: [{ method: "cash", amount: total }],
    reason: null,
  };
}

export function registerClosed(
  store: StoreRef,
  closedAt: string,
  variance: number,
): EventData<"retail.register.closed"> {
  const expectedCash = 10_000;
  return {
    store,
    channel: "store",
    register: REGISTER,
    sessionId: randomUUID(),
    currency: "EUR",
    openingFloat: 10_000,
    openedBy: randomUUID(),
    openedAt: closedAt,
    closedBy: randomUUID(),
    closedAt,
    flagged: false,
    salesCount: 0,
    salesTotal: 0,
    discountTotal: 0,
    byTender: [],
    byVatRate: [],
    returnsCount: 0,
    returnsTotal: 0,
    voidsCount: 0,
    voidsTotal: 0,
    cashIn: 0,
    cashOut: 0,
    cashTaken: 0,
    changeGiven: 0,
    cashRefunds: 0,
    expectedCash,
    countedCash: expectedCash + variance,
    variance,
  };
}

export function category(id: string, name: string): EventData<"catalog.category.created"> {
  return {
    id,
    parentId: null,
    name,
    slug: name.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    description: null,
    position: 0,
  };
}

export function product(item: Item, categoryId: string, name = item.name): EventData<"catalog.product.created"> {
  return {
    id: item.productId,
    name,
    slug: `p-${item.productId.slice(0, 8)}`,
    description: null,
    brand: null,
    categoryId,
    status: "active",
    attributes: {},
    vatRate: item.vatRate,
    variants: [
      {
        id: item.variantId,
        sku: `SKU-${item.variantId.slice(0, 8)}`,
        options: {},
        price: item.unitPrice,
        compareAtPrice: null,
        currency: "EUR",
        barcode: null,
      },
    ],
    images: [],
  };
}
