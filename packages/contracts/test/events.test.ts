import { randomUUID } from "node:crypto";
import { Compile } from "typebox/compile";
import { describe, expect, it } from "vitest";
import {
  EnvelopeSchema,
  EVENT_PARTITIONS,
  EVENTS,
  type EventData,
  type EventType,
  isEventType,
  partitionOf,
  streamOf,
} from "../src/events";
import { BACKEND_SERVICES } from "../src/services";

const ID = {
  user: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e01",
  admin: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e02",
  store: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e03",
  category: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e04",
  product: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e05",
  variant: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e06",
  variant2: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e07",
  image: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e08",
  movement: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e09",
  storeLocation: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e0a",
  warehouse: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e0b",
  alert: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e0c",
  reservation: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e0d",
  request: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e0e",
  order: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e0f",
  customer: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e10",
  payment: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e11",
  refund: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e12",
  sale: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e13",
  register: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e14",
  session: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e15",
  clerk: "0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e16",
};
const AT = "2025-03-01T09:30:00.000Z";

const storeSnapshot: EventData<"retail.store.created"> = {
  id: ID.store,
  code: "STORE-1",
  name: "Comptoir Paris Rivoli",
  address: { line1: "18 rue de Rivoli", postalCode: "75004", city: "Paris", country: "FR" },
  phone: "+33 1 42 72 18 18",
  email: "paris-rivoli@comptoir.example",
  managerId: null,
  openingHours: {
    mon: [{ open: "10:00", close: "19:30" }],
    tue: [{ open: "10:00", close: "19:30" }],
    wed: [{ open: "10:00", close: "19:30" }],
    thu: [{ open: "10:00", close: "19:30" }],
    fri: [{ open: "10:00", close: "20:00" }],
    sat: [
      { open: "09:30", close: "13:00" },
      { open: "14:00", close: "20:00" },
    ],
    sun: [],
  },
  timezone: "Europe/Paris",
  locationId: ID.storeLocation,
  createdAt: AT,
  updatedAt: AT,
};

const user: EventData<"identity.user.registered"> = {
  userId: ID.user,
  email: "camille@example.fr",
  name: "Camille Martin",
  role: "manager",
  storeId: ID.store,
  language: "fr",
  active: true,
};

const variant: EventData<"catalog.product.created">["variants"][number] = {
  id: ID.variant,
  sku: "TSH-NAVY-M",
  options: { size: "M", color: "navy" },
  price: 1999,
  compareAtPrice: 2499,
  currency: "EUR",
  barcode: "3012345678901",
};

const product: EventData<"catalog.product.created"> = {
  id: ID.product,
  name: "T-shirt coton bio",
  slug: "t-shirt-coton-bio",
  description: "Un t-shirt en coton biologique.",
  brand: "Atelier Nord",
  categoryId: ID.category,
  status: "active",
  attributes: { material: "coton" },
  variants: [variant, { ...variant, id: ID.variant2, sku: "TSH-NAVY-L", compareAtPrice: null, barcode: null }],
  images: [
    { id: ID.image, thumbnailUrl: "/images/p/thumb.webp", largeUrl: "/images/p/large.webp", alt: null, position: 0 },
  ],
};

const stockPlace: Pick<
  EventData<"inventory.stock.changed">,
  "variantId" | "locationId" | "locationKind" | "storeId"
> = {
  variantId: ID.variant,
  locationId: ID.storeLocation,
  locationKind: "store",
  storeId: ID.store,
};

const alert: EventData<"inventory.alert.raised"> = {
  alertId: ID.alert,
  ...stockPlace,
  sku: "TSH-NAVY-M",
  productName: "T-shirt coton bio",
  threshold: 5,
  available: 3,
};

const request: Omit<EventData<"supply.request.approved">, "status"> = {
  requestId: ID.request,
  storeId: ID.store,
  locationId: ID.storeLocation,
  fromLocationId: ID.warehouse,
  lines: [{ variantId: ID.variant, quantity: 12 }],
  note: "Pour le week-end",
  requestedBy: ID.clerk,
  decidedBy: ID.admin,
  reason: null,
};

const order: Omit<EventData<"orders.order.delivered">, "status"> = {
  orderId: ID.order,
  customerId: ID.customer,
  email: "client@example.com",
  language: "en",
  channel: "online",
  storeId: null,
  lines: [
    {
      variantId: ID.variant,
      productId: ID.product,
      sku: "TSH-NAVY-M",
      name: "T-shirt coton bio — M",
      quantity: 2,
      unitPrice: 1999,
    },
  ],
  totals: { subtotal: 3998, shipping: 490, total: 4488, currency: "EUR" },
  shippingAddress: {
    name: "Alex Doe",
    line1: "1 rue de la Paix",
    line2: null,
    city: "Paris",
    postalCode: "75002",
    country: "FR",
  },
  placedAt: AT,
};

const payment: EventData<"payments.payment.captured"> = {
  paymentId: ID.payment,
  orderId: ID.order,
  amount: 4488,
  currency: "EUR",
  method: "card",
  brand: "visa",
  last4: "4242",
};

/** Where a till document was recorded (the retail.sale.* events). */
const till = {
  saleId: ID.sale,
  store: { id: ID.store, code: "STORE-1", name: "Comptoir Lyon", timezone: "Europe/Paris" },
  channel: "store" as const,
  locationId: ID.storeLocation,
  register: { id: ID.register, code: "R1", name: "Caisse 1" },
  sessionId: ID.session,
  cashierId: ID.clerk,
  currency: "EUR",
  occurredAt: AT,
};

const returnedLine = {
  variantId: ID.variant,
  productId: ID.product,
  sku: "TSH-NAVY-M",
  name: "T-shirt coton bio — M",
  quantity: 2,
  unitPrice: 1999,
  lineTotal: 3798,
  vatRate: 2000,
};
const saleLine = { ...returnedLine, discount: 200 };
const saleVat = [{ rate: 2000, base: 3165, vat: 633, total: 3798 }];

const session: Omit<EventData<"retail.register.opened">, "openedBy"> = {
  store: { id: ID.store, code: "STORE-1", name: "Magasin 1", timezone: "Europe/Paris" },
  channel: "store",
  register: { id: ID.register, code: "CAISSE-1", name: "Caisse 1" },
  sessionId: ID.session,
  currency: "EUR",
  openingFloat: 15000,
  openedAt: AT,
};

/** One valid payload per event type; typed, so a missing type or a field of the wrong type does not compile. */
const samples: { [T in EventType]: EventData<T> } = {
  "identity.user.registered": { ...user, role: "customer", storeId: null },
  "identity.user.updated": { ...user, changedFields: ["role", "storeId"], updatedBy: ID.admin },
  "identity.user.deactivated": { ...user, active: false, deactivatedBy: ID.admin },

  "catalog.category.created": {
    id: ID.category,
    parentId: null,
    name: "T-shirts",
    slug: "t-shirts",
    description: null,
    position: 0,
  },
  "catalog.category.updated": {
    id: ID.category,
    parentId: ID.store,
    name: "Tees",
    slug: "tees",
    description: "Tops",
    position: 2,
  },
  "catalog.category.deleted": { id: ID.category },
  "catalog.product.created": product,
  "catalog.product.updated": { ...product, status: "draft", brand: null, description: null },
  "catalog.product.archived": {
    id: ID.product,
    name: product.name,
    slug: product.slug,
    variantIds: [ID.variant, ID.variant2],
  },
  "catalog.variant.created": {
    ...variant,
    productId: ID.product,
    productName: product.name,
    productStatus: "active",
  },
  "catalog.variant.price_changed": {
    variantId: ID.variant,
    productId: ID.product,
    sku: "TSH-NAVY-M",
    oldPrice: 1999,
    newPrice: 1799,
    currency: "EUR",
    changedBy: null,
  },

  "inventory.stock.changed": {
    movementId: ID.movement,
    ...stockPlace,
    onHand: 10,
    reserved: 2,
    available: 8,
    delta: -1,
    movementType: "sale",
    reason: null,
    reference: ID.sale,
    actorId: ID.clerk,
    lowStockThreshold: 5,
  },
  "inventory.alert.raised": alert,
  "inventory.alert.resolved": { ...alert, available: 20 },
  "inventory.reservation.expired": {
    reservationId: ID.reservation,
    reference: ID.order,
    lines: [{ variantId: ID.variant, locationId: ID.warehouse, quantity: 2 }],
  },

  "supply.request.created": { ...request, status: "requested", decidedBy: null },
  "supply.request.approved": { ...request, status: "approved" },
  "supply.request.rejected": { ...request, status: "rejected", reason: "Stock central insuffisant" },
  "supply.request.completed": { ...request, status: "completed" },
  "supply.request.failed": { ...request, status: "failed", reason: "transfer: central stock short" },

  "cart.cart.created": { cartId: ID.order, customerId: null, createdAt: AT },
  "cart.cart.filled": { cartId: ID.order, customerId: ID.customer, filledAt: AT, itemCount: 3, lineCount: 2 },

  "orders.checkout.started": {
    checkoutId: ID.request,
    orderId: ID.order,
    cartId: ID.reservation,
    channel: "online",
    customerId: null,
    startedAt: AT,
    itemCount: 2,
    subtotal: 3998,
    currency: "EUR",
  },
  "orders.order.placed": { ...order, status: "pending" },
  "orders.order.paid": { ...order, status: "paid", paymentId: ID.payment },
  "orders.order.cancelled": {
    ...order,
    status: "cancelled",
    previousStatus: "paid",
    reason: "customer request",
    cancelledBy: ID.customer,
  },
  "orders.order.shipped": { ...order, status: "shipped", carrier: "Colissimo", trackingNumber: "6A12345678901" },
  "orders.order.delivered": {
    ...order,
    channel: "store",
    storeId: ID.store,
    customerId: null,
    shippingAddress: null,
    status: "delivered",
  },
  "orders.order.refunded": {
    ...order,
    status: "refunded",
    paymentId: ID.payment,
    refundedAmount: 4488,
    reason: null,
  },

  "payments.payment.authorized": payment,
  "payments.payment.captured": payment,
  "payments.payment.failed": {
    ...payment,
    last4: "0002",
    code: "card_declined",
    reason: "Your card was declined.",
  },
  "payments.payment.refunded": { ...payment, amount: 1000, refundId: ID.refund, totalRefunded: 1000, reason: null },

  "retail.sale.completed": {
    ...till,
    receiptNumber: "STORE-1-000123",
    lines: [saleLine],
    discounts: { lines: 200, basket: 0, total: 200 },
    subtotal: 3998,
    discountTotal: 200,
    total: 3798,
    vat: saleVat,
    tenders: [{ method: "cash", amount: 4000 }],
    change: 202,
  },
  "retail.sale.returned": {
    ...till,
    returnId: ID.refund,
    receiptNumber: "STORE-1-R000007",
    originalReceiptNumber: "STORE-1-000123",
    lines: [returnedLine],
    total: 3798,
    vat: saleVat,
    refunds: [{ method: "card", amount: 3798 }],
    reason: "wrong size",
  },
  "retail.sale.voided": {
    ...till,
    receiptNumber: "STORE-1-000123",
    lines: [saleLine],
    total: 3798,
    vat: saleVat,
    refunds: [{ method: "cash", amount: 3798 }],
    reason: "wrong item",
  },
  "retail.store.created": storeSnapshot,
  "retail.store.updated": { ...storeSnapshot, managerId: ID.user, updatedAt: "2025-03-02T08:00:00.000Z" },
  "retail.register.opened": { ...session, openedBy: ID.clerk },
  "retail.register.closed": {
    ...session,
    openedBy: ID.clerk,
    closedBy: ID.clerk,
    closedAt: AT,
    flagged: false,
    salesCount: 14,
    salesTotal: 52050,
    discountTotal: 1200,
    byTender: [
      { method: "cash", amount: 32050 },
      { method: "card", amount: 20000 },
      { method: "store_credit", amount: 0 },
    ],
    byVatRate: [{ rate: 2000, base: 43375, vat: 8675, total: 52050 }],
    returnsCount: 0,
    returnsTotal: 0,
    voidsCount: 0,
    voidsTotal: 0,
    cashIn: 0,
    cashOut: 0,
    cashTaken: 35000,
    changeGiven: 2950,
    cashRefunds: 0,
    expectedCash: 47050,
    countedCash: 47000,
    variance: -50,
  },
};

/** Payloads that look right but break a rule of the contract: each must be refused. */
const invalid: [EventType, string, (data: Record<string, any>) => void][] = [
  ["identity.user.registered", "unknown role", (d) => (d.role = "owner")],
  ["identity.user.registered", "language other than fr/en", (d) => (d.language = "de")],
  ["identity.user.registered", "malformed e-mail", (d) => (d.email = "not-an-email")],
  ["identity.user.deactivated", "still active", (d) => (d.active = true)],
  ["catalog.product.created", "id not a uuid", (d) => (d.id = "42")],
  ["catalog.product.created", "unknown status", (d) => (d.status = "deleted")],
  ["catalog.product.created", "price as a decimal", (d) => (d.variants = [{ ...variant, price: 19.99 }])],
  ["catalog.product.created", "non-string attribute", (d) => (d.attributes = { weight: 200 })],
  ["catalog.variant.price_changed", "lower-case currency", (d) => (d.currency = "eur")],
  ["catalog.variant.price_changed", "negative price", (d) => (d.newPrice = -1)],
  ["inventory.stock.changed", "unknown movement type", (d) => (d.movementType = "theft")],
  ["inventory.stock.changed", "negative available", (d) => (d.available = -1)],
  ["inventory.stock.changed", "fractional delta", (d) => (d.delta = 0.5)],
  ["inventory.reservation.expired", "no lines", (d) => (d.lines = [])],
  ["inventory.reservation.expired", "zero quantity", (d) => (d.lines = [{ ...d.lines[0], quantity: 0 }])],
  ["supply.request.rejected", "no reason", (d) => (d.reason = null)],
  ["supply.request.rejected", "empty reason", (d) => (d.reason = "")],
  ["supply.request.approved", "undecided", (d) => (d.decidedBy = null)],
  ["supply.request.created", "wrong status", (d) => (d.status = "approved")],
  ["orders.order.placed", "channel other than online/store", (d) => (d.channel = "phone")],
  ["orders.order.placed", "totals without currency", (d) => (d.totals = { subtotal: 1, shipping: 0, total: 1 })],
  ["orders.order.placed", "placedAt not a date-time", (d) => (d.placedAt = "yesterday")],
  ["orders.order.paid", "status not paid", (d) => (d.status = "pending")],
  ["payments.payment.captured", "full card number", (d) => (d.last4 = "4242424242424242")],
  ["payments.payment.captured", "unknown brand", (d) => (d.brand = "diners-club-deluxe")],
  ["retail.sale.completed", "unknown tender method", (d) => (d.tenders = [{ method: "cheque", amount: 1 }])],
  ["retail.sale.completed", "channel other than store", (d) => (d.channel = "online")],
  ["retail.register.closed", "negative counted cash", (d) => (d.countedCash = -1)],
  ["retail.store.created", "opening hours without a day", (d) => delete d.openingHours.sun],
  ["retail.store.updated", "a time that is no time", (d) => (d.openingHours.mon = [{ open: "9h", close: "19:00" }])],
  ["orders.checkout.started", "no item", (d) => (d.itemCount = 0)],
  ["orders.checkout.started", "a store channel", (d) => (d.channel = "store")],
  ["cart.cart.filled", "no item", (d) => (d.itemCount = 0)],
];

const validators = new Map(Object.entries(EVENTS).map(([type, def]) => [type, Compile(def.data)]));

function check(type: EventType, data: unknown): boolean {
  return validators.get(type)!.Check(data);
}

function requiredOf(type: EventType): string[] {
  return (EVENTS[type].data as { required?: string[] }).required ?? [];
}

const types = Object.keys(EVENTS) as EventType[];

describe("event types", () => {
  it("are all named <service>.<entity>.<past-tense-verb>, after a backend service", () => {
    const irregular = new Set(["paid"]);
    for (const type of types) {
      const match = /^([a-z]+)\.([a-z]+)\.([a-z]+(?:_[a-z]+)*)$/.exec(type);
      expect(match, type).not.toBeNull();
      const [, service, , verb] = match!;
      expect(BACKEND_SERVICES, type).toContain(service);
      expect(streamOf(type)).toBe(service);
      expect(verb!.endsWith("ed") || irregular.has(verb!), `${type}: past-tense verb`).toBe(true);
      expect(isEventType(type)).toBe(true);
    }
    expect(isEventType("catalog.product.exploded")).toBe(false);
  });

  it("match the envelope's type pattern", () => {
    const envelope = Compile(EnvelopeSchema);
    for (const type of types) {
      const raw = { id: ID.user, type, source: streamOf(type), subject: ID.user, occurredAt: AT, version: 1, data: {} };
      expect(envelope.Check(raw), type).toBe(true);
    }
  });

  it("declare every event of SPEC §3", () => {
    expect([...types].sort()).toEqual(
      [
        "identity.user.registered",
        "identity.user.updated",
        "identity.user.deactivated",
        "catalog.category.created",
        "catalog.category.updated",
        "catalog.category.deleted",
        "catalog.product.created",
        "catalog.product.updated",
        "catalog.product.archived",
        "catalog.variant.created",
        "catalog.variant.price_changed",
        "inventory.stock.changed",
        "inventory.alert.raised",
        "inventory.alert.resolved",
        "inventory.reservation.expired",
        "supply.request.created",
        "supply.request.approved",
        "supply.request.rejected",
        "supply.request.completed",
        "supply.request.failed",
        "cart.cart.created",
        "cart.cart.filled",
        "orders.checkout.started",
        "orders.order.placed",
        "orders.order.paid",
        "orders.order.cancelled",
        "orders.order.shipped",
        "orders.order.delivered",
        "orders.order.refunded",
        "payments.payment.authorized",
        "payments.payment.captured",
        "payments.payment.failed",
        "payments.payment.refunded",
        "retail.sale.completed",
        "retail.sale.returned",
        "retail.sale.voided",
        "retail.store.created",
        "retail.store.updated",
        "retail.register.opened",
        "retail.register.closed",
      ].sort(),
    );
  });

  it("each have a version ≥ 1, a subject and a description", () => {
    for (const type of types) {
      const def = EVENTS[type];
      expect(Number.isInteger(def.version) && def.version >= 1, type).toBe(true);
      expect(def.subject.trim(), type).not.toBe("");
      expect(def.description.trim(), type).not.toBe("");
    }
  });
});

describe("event payload schemas", () => {
  it("have a sample for every type", () => {
    expect(Object.keys(samples).sort()).toEqual([...types].sort());
  });

  it.each(types)("%s accepts its sample", (type) => {
    const validator = validators.get(type)!;
    const errors = [...validator.Errors(samples[type])].map((e) => `${e.instancePath} ${e.message}`);
    expect(errors).toEqual([]);
  });

  it.each(types)("%s refuses its sample without any one of its required fields", (type) => {
    const required = requiredOf(type);
    // Every field is required (nullable ones included: present, possibly null); an optional one would be a bug.
    expect([...required].sort(), type).toEqual(Object.keys(samples[type]).sort());
    for (const field of required) {
      const data: Record<string, unknown> = { ...samples[type] };
      expect(field in data, `${type}: sample has ${field}`).toBe(true);
      delete data[field];
      expect(check(type, data), `${type} without ${field}`).toBe(false);
    }
  });

  it.each(invalid)("%s refuses %s", (type, _why, mutate) => {
    const data = structuredClone(samples[type]) as Record<string, any>;
    mutate(data);
    expect(check(type, data)).toBe(false);
  });
});

describe("partitionOf", () => {
  it("is stable: a subject always lands in the same partition, in every process", () => {
    expect(partitionOf(ID.order)).toBe(partitionOf(ID.order));
    // FNV-1a 32 of this subject is 0xef3dc62b, modulo 8 is 3: changing the hash or EVENT_PARTITIONS re-partitions every stream.
    expect(EVENT_PARTITIONS).toBe(8);
    expect(partitionOf("0190a4c2-7b1e-7c3d-8e9f-0a1b2c3d4e5f")).toBe(3);
    expect(partitionOf("")).toBe(0x811c9dc5 % EVENT_PARTITIONS);
  });

  it("spreads random uuids over every partition, none holding more than 15%", () => {
    const counts = new Array<number>(EVENT_PARTITIONS).fill(0);
    const n = 10_000;
    for (let i = 0; i < n; i++) {
      const p = partitionOf(randomUUID());
      expect(Number.isInteger(p) && p >= 0 && p < EVENT_PARTITIONS).toBe(true);
      counts[p]!++;
    }
    for (const count of counts) {
      expect(count).toBeGreaterThan(0);
      expect(count / n).toBeLessThanOrEqual(0.15);
    }
  });
});
