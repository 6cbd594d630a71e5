import { Amount, MAX_AMOUNT, MAX_CART_LINES, MAX_LINE_QUANTITY, VatLine, VatRate } from "@comptoir/contracts";
import { DateTime, Id, Nullable, pageQuery, type Static, Type } from "@comptoir/platform";

/** Till sales, returns, voids and receipts: the bodies and answers of retail's sales routes. */

const Code = Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9._/-]+$" });
const Quantity = Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY, description: `1 to ${MAX_LINE_QUANTITY}` });

export const DiscountInput = Type.Union(
  [
    Type.Object(
      { percent: Type.Number({ minimum: 0, maximum: 100, description: "0 to 100, two decimals at most" }) },
      { additionalProperties: false },
    ),
    Type.Object({ amount: Amount }, { additionalProperties: false }),
  ],
  { description: "{percent} or {amount} (cents); above the cashier's limit needs sales:discount" },
);

/** A line as the till sends it: one of variantId, sku or barcode, and a quantity. */
export const LineInput = Type.Object(
  {
    variantId: Type.Optional(Id),
    sku: Type.Optional(Code),
    barcode: Type.Optional(Code),
    quantity: Quantity,
    discount: Type.Optional(DiscountInput),
  },
  { additionalProperties: false },
);
export type LineInput = Static<typeof LineInput>;

export const CardInput = Type.Object(
  {
    number: Type.String({ pattern: "^[0-9 ]{12,23}$", maxLength: 23, description: "test cards: payments' README" }),
    expMonth: Type.Integer({ minimum: 1, maximum: 12 }),
    expYear: Type.Integer({ minimum: 2000, maximum: 2100 }),
    cvc: Type.String({ pattern: "^[0-9]{3,4}$", maxLength: 4 }),
  },
  { additionalProperties: false },
);

const Positive = Type.Integer({ minimum: 1, maximum: MAX_AMOUNT });

export const TenderInput = Type.Union([
  Type.Object({ method: Type.Literal("cash"), amount: Positive }, { additionalProperties: false }),
  Type.Object({ method: Type.Literal("card"), amount: Positive, card: CardInput }, { additionalProperties: false }),
  Type.Object(
    { method: Type.Literal("store_credit"), code: Type.String({ minLength: 1, maxLength: 40 }), amount: Positive },
    { additionalProperties: false },
  ),
]);
export type TenderInput = Static<typeof TenderInput>;

export const SaleRequest = Type.Object(
  {
    id: Type.Optional(Type.String({ format: "uuid", description: "a client-generated sale id (idempotency)" })),
    registerId: Id,
    lines: Type.Array(LineInput, { minItems: 1, maxItems: MAX_CART_LINES }),
    discount: Type.Optional(DiscountInput),
    tenders: Type.Array(TenderInput, { maxItems: 10 }),
  },
  { additionalProperties: false },
);
export type SaleRequest = Static<typeof SaleRequest>;

export const SaleLineView = Type.Object({
  variantId: Id,
  productId: Id,
  sku: Type.String(),
  name: Type.String(),
  quantity: Type.Integer(),
  unitPrice: Amount,
  vatRate: VatRate,
  lineDiscount: Amount,
  basketDiscount: Amount,
  discount: Amount,
  lineTotal: Amount,
});

export const TenderMethod = Type.Union([Type.Literal("cash"), Type.Literal("card"), Type.Literal("store_credit")]);

export const TenderView = Type.Object({
  method: TenderMethod,
  amount: Amount,
  paymentId: Type.Optional(Id),
  last4: Type.Optional(Type.String()),
  code: Type.Optional(Type.String()),
});

export const RefundView = Type.Object({
  method: TenderMethod,
  amount: Amount,
  paymentId: Type.Optional(Id),
  code: Type.Optional(Type.String()),
});

export const StoreInfo = Type.Object({
  id: Id,
  code: Type.String(),
  name: Type.String(),
  address: Type.Object({}, { additionalProperties: true }),
  phone: Type.String(),
  timezone: Type.String(),
});

export const ReceiptView = Type.Object({
  kind: Type.Union([Type.Literal("sale"), Type.Literal("return")]),
  documentId: Id,
  receiptNumber: Type.String(),
  /** false for the receipt of the sale's 201 answer; true for every reprint (DUPLICATA). */
  duplicate: Type.Boolean(),
  reprint: Type.Integer({ minimum: 0, description: "0 for the original, 1 for the first duplicate..." }),
  store: StoreInfo,
  registerId: Id,
  cashierId: Id,
  /** When, in UTC, and as the store's clock read (its timezone). */
  date: DateTime,
  localDate: Type.String({ description: "YYYY-MM-DD HH:MM in the store's timezone" }),
  currency: Type.String(),
  lines: Type.Array(
    Type.Object({
      name: Type.String(),
      sku: Type.String(),
      quantity: Type.Integer(),
      unitPrice: Amount,
      discount: Amount,
      lineTotal: Amount,
      vatRate: VatRate,
    }),
  ),
  subtotal: Amount,
  discountTotal: Amount,
  basketDiscount: Amount,
  total: Amount,
  vat: Type.Array(VatLine),
  tenders: Type.Array(TenderView),
  change: Amount,
  refunds: Type.Array(RefundView),
  /** The sale a return was made against (its receipt number), null otherwise. */
  originalReceiptNumber: Nullable(Type.String()),
  storeCredit: Nullable(Type.Object({ code: Type.String(), amount: Amount })),
});
export type Receipt = Static<typeof ReceiptView>;

export const SaleStatus = Type.Union([Type.Literal("completed"), Type.Literal("voided")]);

export const SaleView = Type.Object({
  id: Id,
  storeId: Id,
  registerId: Id,
  sessionId: Id,
  cashierId: Id,
  receiptNumber: Type.String(),
  status: SaleStatus,
  currency: Type.String(),
  lines: Type.Array(SaleLineView),
  discount: Nullable(DiscountInput),
  subtotal: Amount,
  discountTotal: Amount,
  total: Amount,
  vat: Type.Array(VatLine),
  tenders: Type.Array(TenderView),
  cashTendered: Amount,
  change: Amount,
  completedAt: DateTime,
  voidedAt: Nullable(DateTime),
  voidReason: Nullable(Type.String()),
  voidRefunds: Nullable(Type.Array(RefundView)),
  reprints: Type.Integer(),
});
export type SaleView = Static<typeof SaleView>;

/** The 201 of POST /sales: the sale and its original receipt. */
export const CreatedSale = Type.Object({ ...SaleView.properties, receipt: ReceiptView });

export const SaleQuery = Type.Object(
  {
    storeId: Type.Optional(Id),
    registerId: Type.Optional(Id),
    cashierId: Type.Optional(Id),
    sessionId: Type.Optional(Id),
    status: Type.Optional(SaleStatus),
    from: Type.Optional(DateTime),
    to: Type.Optional(DateTime),
    ...pageQuery(),
  },
  { additionalProperties: false },
);
export type SaleQuery = Static<typeof SaleQuery>;

export const VoidRequest = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500, pattern: "\\S" }) },
  { additionalProperties: false },
);

export const ReturnLineInput = Type.Object({ variantId: Id, quantity: Quantity }, { additionalProperties: false });

export const ReturnRequest = Type.Object(
  {
    registerId: Id,
    lines: Type.Array(ReturnLineInput, { minItems: 1, maxItems: MAX_CART_LINES }),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type ReturnRequest = Static<typeof ReturnRequest>;

export const UnreceiptedReturnRequest = Type.Object(
  {
    registerId: Id,
    lines: Type.Array(
      Type.Object(
        {
          variantId: Type.Optional(Id),
          sku: Type.Optional(Code),
          barcode: Type.Optional(Code),
          quantity: Quantity,
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_CART_LINES },
    ),
    refundMethod: Type.Union([Type.Literal("cash"), Type.Literal("store_credit")]),
    reason: Type.String({ minLength: 1, maxLength: 500, pattern: "\\S" }),
  },
  { additionalProperties: false },
);
export type UnreceiptedReturnRequest = Static<typeof UnreceiptedReturnRequest>;

export const ReturnLineView = Type.Object({
  variantId: Id,
  productId: Id,
  sku: Type.String(),
  name: Type.String(),
  quantity: Type.Integer(),
  unitPrice: Amount,
  vatRate: VatRate,
  lineTotal: Amount,
});

export const ReturnView = Type.Object({
  id: Id,
  saleId: Nullable(Id),
  storeId: Id,
  registerId: Id,
  sessionId: Id,
  cashierId: Id,
  status: Type.Union([Type.Literal("running"), Type.Literal("completed"), Type.Literal("failed")]),
  receiptNumber: Nullable(Type.String()),
  currency: Type.String(),
  lines: Type.Array(ReturnLineView),
  total: Amount,
  vat: Type.Array(VatLine),
  refunds: Type.Array(RefundView),
  reason: Nullable(Type.String()),
  storeCredit: Nullable(Type.Object({ code: Type.String(), amount: Amount })),
  createdAt: DateTime,
  completedAt: Nullable(DateTime),
});
export type ReturnView = Static<typeof ReturnView>;

export const ReturnQuery = Type.Object(
  {
    storeId: Type.Optional(Id),
    registerId: Type.Optional(Id),
    cashierId: Type.Optional(Id),
    sessionId: Type.Optional(Id),
    saleId: Type.Optional(Id),
    from: Type.Optional(DateTime),
    to: Type.Optional(DateTime),
    ...pageQuery(),
  },
  { additionalProperties: false },
);
export type ReturnQuery = Static<typeof ReturnQuery>;

export const ReceiptQuery = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal("json"), Type.Literal("html")])) },
  { additionalProperties: false },
);
