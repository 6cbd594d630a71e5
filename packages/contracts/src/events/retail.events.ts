import { Type } from "typebox";
import { Amount, CurrencyCode, DateTime, Nullable, Quantity, SignedAmount, Sku, Uuid } from "./common";
import { defineEvent } from "./define";

export const PaymentMethod = Type.Union([Type.Literal("cash"), Type.Literal("card")]);

/** A till line, priced from the catalog at the time of sale; lineTotal = quantity × unitPrice − discount. */
export const SaleLine = Type.Object({
  variantId: Uuid,
  productId: Uuid,
  sku: Sku,
  name: Type.String({ minLength: 1 }),
  quantity: Quantity,
  unitPrice: Amount,
  discount: Amount,
  lineTotal: Amount,
});

/** Where and by whom a sale was rung up. */
const saleFields = {
  saleId: Uuid,
  receiptNumber: Type.String({ minLength: 1 }),
  storeId: Uuid,
  storeName: Type.String({ minLength: 1 }),
  /** The store's stock location, which the goods left (or come back to). */
  locationId: Uuid,
  registerId: Uuid,
  clerkId: Uuid,
  currency: CurrencyCode,
  paymentMethod: PaymentMethod,
};

/** A register session's identity: one opening, one closing. */
const sessionFields = {
  registerId: Uuid,
  sessionId: Uuid,
  storeId: Uuid,
  currency: CurrencyCode,
  /** The cash float put in the drawer at opening. */
  openingFloat: Amount,
};

export const retailEvents = {
  "retail.sale.completed": defineEvent({
    version: 1,
    subject: "sale id",
    description:
      "A point-of-sale sale was paid; its stock left the store's location. total = subtotal − discountTotal.",
    data: Type.Object({
      ...saleFields,
      sessionId: Uuid,
      lines: Type.Array(SaleLine, { minItems: 1 }),
      subtotal: Amount,
      discountTotal: Amount,
      total: Amount,
      /** Cash handed over and change due; null for a card payment. */
      cashTendered: Nullable(Amount),
      changeDue: Nullable(Amount),
    }),
  }),
  "retail.sale.returned": defineEvent({
    version: 1,
    subject: "sale id",
    description:
      "Goods of a sale were returned (or the sale cancelled): their stock is back at the store, total is refunded.",
    data: Type.Object({
      /** clerkId is the clerk who took the goods back; paymentMethod, how the refund was given. */
      ...saleFields,
      /** The lines returned, with the quantities returned. */
      lines: Type.Array(SaleLine, { minItems: 1 }),
      /** What was given back. */
      total: Amount,
      reason: Nullable(Type.String()),
    }),
  }),
  "retail.register.opened": defineEvent({
    version: 1,
    subject: "register id",
    description: "A cash register session was opened with a cash float.",
    data: Type.Object({
      ...sessionFields,
      openedBy: Uuid,
    }),
  }),
  "retail.register.closed": defineEvent({
    version: 1,
    subject: "register id",
    description: "A cash register session was closed with the cash counted; variance = countedCash − expectedCash.",
    data: Type.Object({
      ...sessionFields,
      openedAt: DateTime,
      closedBy: Uuid,
      salesCount: Type.Integer({ minimum: 0 }),
      /** Net cash taken in the session (cash sales less change and cash refunds). */
      cashSales: SignedAmount,
      expectedCash: SignedAmount,
      countedCash: Amount,
      variance: SignedAmount,
    }),
  }),
};
