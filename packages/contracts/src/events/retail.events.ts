import { Type } from "typebox";
import { Address as StoreAddress, OpeningHours } from "../http/retail";
import { Amount, CurrencyCode, DateTime, Nullable, Quantity, SignedAmount, Sku, Uuid } from "./common";
import { defineEvent } from "./define";

/** How a till sale was paid, or a refund given: cash, card (payments), store credit (a code). */
export const TenderMethod = Type.Union([Type.Literal("cash"), Type.Literal("card"), Type.Literal("store_credit")]);

/** A VAT rate's share of a document, VAT included in total; negative never (returns carry their own). */
const VatLineData = Type.Object({
  rate: Type.Integer({ description: "basis points: 2000 = 20 %" }),
  base: Amount,
  vat: Amount,
  total: Amount,
});

/**
 * A till line, priced from the catalog at the time of sale; discount = the line's own discount and its
 * share of the basket discount; lineTotal = quantity × unitPrice − discount (VAT included).
 */
export const SaleLine = Type.Object({
  variantId: Uuid,
  productId: Uuid,
  sku: Sku,
  name: Type.String({ minLength: 1 }),
  quantity: Quantity,
  unitPrice: Amount,
  discount: Amount,
  lineTotal: Amount,
  vatRate: Type.Integer({ description: "basis points: 2000 = 20 %" }),
});

/** A returned line: the units given back and what was refunded for them. */
export const ReturnedLine = Type.Object({
  variantId: Uuid,
  productId: Uuid,
  sku: Sku,
  name: Type.String({ minLength: 1 }),
  quantity: Quantity,
  unitPrice: Amount,
  lineTotal: Amount,
  vatRate: Type.Integer({ description: "basis points: 2000 = 20 %" }),
});

const Tender = Type.Object({ method: TenderMethod, amount: Amount });

/** Where, when and by whom a till document was recorded. */
const saleFields = {
  saleId: Uuid,
  store: Type.Object({
    id: Uuid,
    code: Type.String({ minLength: 1 }),
    name: Type.String({ minLength: 1 }),
    timezone: Type.String({ minLength: 1, description: "IANA time zone" }),
  }),
  channel: Type.Literal("store"),
  /** The store's stock location, which the goods left (or come back to). */
  locationId: Uuid,
  register: Type.Object({ id: Uuid, code: Type.String({ minLength: 1 }), name: Type.String({ minLength: 1 }) }),
  /** The session the document was recorded in. */
  sessionId: Uuid,
  /** The cashier who rang the sale up (or took the goods back, or voided it). */
  cashierId: Uuid,
  currency: CurrencyCode,
  occurredAt: DateTime,
};

/** A register session's identity: where (store, register), who opened it, with what float (H3). */
const sessionFields = {
  store: Type.Object({
    id: Uuid,
    code: Type.String({ minLength: 1 }),
    name: Type.String({ minLength: 1 }),
    timezone: Type.String({ minLength: 1, description: "IANA time zone" }),
  }),
  channel: Type.Literal("store"),
  register: Type.Object({ id: Uuid, code: Type.String({ minLength: 1 }), name: Type.String({ minLength: 1 }) }),
  sessionId: Uuid,
  currency: CurrencyCode,
  /** The cash float put in the drawer at opening. */
  openingFloat: Amount,
  openedBy: Uuid,
  openedAt: DateTime,
};

/** One rate of the session's VAT (sales less returns; negative when returns exceed sales). */
const SessionVatLine = Type.Object({
  rate: Type.Integer({ description: "basis points: 2000 = 20 %" }),
  base: SignedAmount,
  vat: SignedAmount,
  total: SignedAmount,
});

/**
 * A store's whole state, as retail's HTTP contract shows it (address and opening hours are the same
 * schemas): a consumer keeps its own copy from these events alone. A store has no status: it is
 * never closed nor deleted (yet).
 */
export const StoreSnapshot = Type.Object({
  id: Uuid,
  code: Type.String({ minLength: 1 }),
  name: Type.String({ minLength: 1 }),
  address: StoreAddress,
  phone: Type.String(),
  email: Type.String(),
  /** The staff member who manages it; null when none is named. */
  managerId: Nullable(Uuid),
  /** Each weekday's opening intervals (HH:MM, local time in `timezone`); an empty list: closed that day. */
  openingHours: OpeningHours,
  timezone: Type.String({ minLength: 1, description: "IANA time zone" }),
  /** The store's stock location at inventory. */
  locationId: Uuid,
  createdAt: DateTime,
  updatedAt: DateTime,
});

export const retailEvents = {
  "retail.store.created": defineEvent({
    version: 1,
    subject: "store id",
    description: "A store was opened in Comptoir (by an admin, or by the demo seed), with its stock location.",
    data: StoreSnapshot,
  }),
  "retail.store.updated": defineEvent({
    version: 1,
    subject: "store id",
    description:
      "A store's details changed (name, address, contact, manager, opening hours, time zone): its whole new state.",
    data: StoreSnapshot,
  }),
  "retail.sale.completed": defineEvent({
    version: 1,
    subject: "sale id",
    description:
      "A till sale was paid; its stock left the store's location. total = subtotal − discountTotal = Σ lineTotal = Σ tenders − change.",
    data: Type.Object({
      ...saleFields,
      receiptNumber: Type.String({ minLength: 1 }),
      lines: Type.Array(SaleLine, { minItems: 1 }),
      /** The lines' own discounts, the basket discount (spread over the lines) and both together. */
      discounts: Type.Object({ lines: Amount, basket: Amount, total: Amount }),
      subtotal: Amount,
      discountTotal: Amount,
      total: Amount,
      vat: Type.Array(VatLineData),
      /** What was handed over per tender (cash before change). */
      tenders: Type.Array(Tender),
      change: Amount,
    }),
  }),
  "retail.sale.returned": defineEvent({
    version: 1,
    subject: "sale id (the return's id for a return without receipt)",
    description:
      "Goods were returned at a till, with the sale's receipt (saleId) or without (saleId null): their stock is back at the store, total was refunded.",
    data: Type.Object({
      ...saleFields,
      saleId: Nullable(Uuid),
      returnId: Uuid,
      /** The return's own receipt number; originalReceiptNumber, the sale's (null without receipt). */
      receiptNumber: Type.String({ minLength: 1 }),
      originalReceiptNumber: Nullable(Type.String()),
      lines: Type.Array(ReturnedLine, { minItems: 1 }),
      total: Amount,
      vat: Type.Array(VatLineData),
      refunds: Type.Array(Tender),
      reason: Nullable(Type.String()),
    }),
  }),
  "retail.sale.voided": defineEvent({
    version: 1,
    subject: "sale id",
    description:
      "A till sale was cancelled in its still-open session: every tender was given back and its stock is back at the store.",
    data: Type.Object({
      ...saleFields,
      receiptNumber: Type.String({ minLength: 1 }),
      lines: Type.Array(SaleLine, { minItems: 1 }),
      total: Amount,
      vat: Type.Array(VatLineData),
      refunds: Type.Array(Tender),
      reason: Type.String({ minLength: 1 }),
    }),
  }),
  "retail.register.opened": defineEvent({
    version: 1,
    subject: "register id",
    description: "A cash register session was opened with a cash float.",
    data: Type.Object(sessionFields),
  }),
  "retail.register.closed": defineEvent({
    version: 1,
    subject: "register id",
    description:
      "A cash register session was closed with the cash counted: its Z report's totals. variance = countedCash − expectedCash; expectedCash = openingFloat + cashIn − cashOut + cashTaken − changeGiven − cashRefunds.",
    data: Type.Object({
      ...sessionFields,
      closedBy: Uuid,
      closedAt: DateTime,
      /** Left open overnight (past the store's closing time of the opening day). */
      flagged: Type.Boolean(),
      /** Completed sales (voided ones apart). */
      salesCount: Type.Integer({ minimum: 0 }),
      salesTotal: SignedAmount,
      discountTotal: SignedAmount,
      /** What the sales took per tender (cash net of change). */
      byTender: Type.Array(Type.Object({ method: Type.String({ minLength: 1 }), amount: SignedAmount })),
      byVatRate: Type.Array(SessionVatLine),
      returnsCount: Type.Integer({ minimum: 0 }),
      returnsTotal: SignedAmount,
      voidsCount: Type.Integer({ minimum: 0 }),
      voidsTotal: SignedAmount,
      cashIn: Amount,
      cashOut: Amount,
      cashTaken: SignedAmount,
      changeGiven: SignedAmount,
      cashRefunds: SignedAmount,
      expectedCash: SignedAmount,
      countedCash: Amount,
      variance: SignedAmount,
    }),
  }),
};
