import { type Static, Type } from "typebox";
import { Amount, MAX_AMOUNT, MAX_CART_LINES, MAX_LINE_QUANTITY } from "../money";
import { VatLine, VatRate } from "../vat";
import { endpoint } from "./endpoint";
import { DateTime, Id, IdParams, Nullable, Page, pageQuery } from "./schemas";

/**
 * Retail's HTTP API (the point of sale): stores and registers, cash sessions with their X and Z
 * reports, till sales, returns, voids and receipts, and the inalterable sales journal. Retail's
 * routes use these schemas; reporting and the CLI call the endpoints below.
 */

// ——— Stores and registers ———

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * Free text typed at a till or in the back office (names, reasons, notes): no control character
 * (NUL, ESC, DEL...), which PostgreSQL refuses (NUL) or which a receipt, a journal or a log would
 * carry; a one-line text has at least one visible character. A note may span lines (tab, LF, CR).
 * Written without lookahead (leading blanks, one visible character, the rest), which every JSON
 * Schema tool and input generator reads, and which matches in linear time.
 */
const ONE_LINE = "^[^\\S\\u0000-\\u001F\\u007F]*[^\\s\\u0000-\\u001F\\u007F][^\\u0000-\\u001F\\u007F]*$";
const MULTI_LINE =
  "^[^\\S\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*[^\\s\\u0000-\\u001F\\u007F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$";
const Line = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: ONE_LINE });
const Note = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: MULTI_LINE });

const Time = Type.String({
  pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$",
  maxLength: 5,
  description: "HH:MM, local time",
});

/** A list's period bounds (ISO 8601 date-times). */
const Since = Type.String({ format: "date-time", maxLength: 40, description: "from this instant (ISO 8601)" });
const Until = Type.String({ format: "date-time", maxLength: 40, description: "up to this instant (ISO 8601)" });

export const OpeningInterval = Type.Object({ open: Time, close: Time }, { additionalProperties: false });
export type OpeningInterval = Static<typeof OpeningInterval>;

/** Each day's opening intervals, in the store's time zone; an empty list: closed that day. */
export const OpeningHours = Type.Object(
  Object.fromEntries(WEEKDAYS.map((d) => [d, Type.Array(OpeningInterval, { maxItems: 4 })])) as Record<
    Weekday,
    ReturnType<typeof Type.Array<typeof OpeningInterval>>
  >,
  { additionalProperties: false },
);
export type OpeningHours = Static<typeof OpeningHours>;

export const Address = Type.Object(
  {
    line1: Line(200),
    line2: Type.Optional(Type.String({ maxLength: 200, pattern: "^[^\\u0000-\\u001F\\u007F]*$" })),
    postalCode: Line(20),
    city: Line(100),
    country: Type.String({ pattern: "^[A-Z]{2}$", maxLength: 2, description: "ISO 3166-1 alpha-2" }),
  },
  { additionalProperties: false },
);
export type Address = Static<typeof Address>;

export const StoreCode = Type.String({
  pattern: "^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$",
  maxLength: 40,
  description: "unique, e.g. STORE-4 (also the code of its stock location)",
});

/** A store, with the inventory location it sells from. */
export const Store = Type.Object({
  id: Id,
  code: Type.String(),
  name: Type.String(),
  address: Address,
  phone: Type.String(),
  email: Type.String(),
  managerId: Nullable(Id),
  openingHours: OpeningHours,
  timezone: Type.String({ description: "IANA time zone, e.g. Europe/Paris" }),
  locationId: Id,
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type Store = Static<typeof Store>;

/**
 * What anyone may read of a store (the shop's store directory, click-and-collect): its name, address,
 * phone, hours and stock location. Neither its manager nor its e-mail: the e-mail is the back
 * office's contact for the store (often a person's mailbox), nowhere declared public; the phone is
 * the customers' way to reach a store.
 */
export const PublicStore = Type.Object({
  id: Id,
  code: Type.String(),
  name: Type.String(),
  address: Address,
  phone: Type.String(),
  openingHours: OpeningHours,
  timezone: Type.String({ description: "IANA time zone, e.g. Europe/Paris (the opening hours are its local time)" }),
  locationId: Id,
});
export type PublicStore = Static<typeof PublicStore>;

/** A cash register (a till) of a store. */
export const Register = Type.Object({
  id: Id,
  storeId: Id,
  code: Type.String(),
  name: Type.String(),
  createdAt: DateTime,
});
export type Register = Static<typeof Register>;

const Phone = Type.String({ minLength: 3, maxLength: 40, pattern: "^[+0-9 ().-]+$" });
const Email = Type.String({ format: "email", maxLength: 254 });
const Name = Line(120);
const Timezone = Type.String({ minLength: 1, maxLength: 64, description: "IANA time zone, e.g. Europe/Paris" });

export const CreateStoreRequest = Type.Object(
  {
    code: StoreCode,
    name: Name,
    address: Address,
    phone: Phone,
    email: Email,
    managerId: Type.Optional(Type.Union([Id, Type.Null()])),
    openingHours: OpeningHours,
    timezone: Timezone,
  },
  { additionalProperties: false },
);
export type CreateStoreRequest = Static<typeof CreateStoreRequest>;

export const UpdateStoreRequest = Type.Object(
  {
    name: Type.Optional(Name),
    address: Type.Optional(Address),
    phone: Type.Optional(Phone),
    email: Type.Optional(Email),
    managerId: Type.Optional(Type.Union([Id, Type.Null()])),
    openingHours: Type.Optional(OpeningHours),
    timezone: Type.Optional(Timezone),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateStoreRequest = Static<typeof UpdateStoreRequest>;

export const StoreQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: "part of the code or the name" })),
    ...pageQuery(),
  },
  { additionalProperties: false },
);
export type StoreQuery = Static<typeof StoreQuery>;

export const CreateRegisterRequest = Type.Object(
  {
    code: Type.String({
      pattern: "^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$",
      maxLength: 20,
      description: "unique in the store",
    }),
    name: Name,
  },
  { additionalProperties: false },
);
export type CreateRegisterRequest = Static<typeof CreateRegisterRequest>;

/** A page and nothing else (a store's registers). */
export const PageOnlyQuery = Type.Object(pageQuery(), { additionalProperties: false });

// ——— Cash sessions, X and Z reports ———

export const CashReason = Type.Union([
  Type.Literal("bank_drop"),
  Type.Literal("petty_cash"),
  Type.Literal("float_top_up"),
  Type.Literal("other"),
]);
export type CashReason = Static<typeof CashReason>;

const Signed = Type.Integer();

/** A VAT line of a report: sales less returns and voids, so it may be negative. */
export const SignedVatLine = Type.Object({
  rate: VatLine.properties.rate,
  base: Signed,
  vat: Signed,
  total: Signed,
});

/** An X report (running, `final: false`) or the Z report of a closed session (`final: true`). */
export const SessionReport = Type.Object({
  sessionId: Id,
  registerId: Id,
  storeId: Id,
  final: Type.Boolean({ description: "true: the Z report of a closed session; false: an X report" }),
  at: DateTime,
  openedAt: DateTime,
  closedAt: Nullable(DateTime),
  openingFloat: Amount,
  salesCount: Type.Integer({ minimum: 0 }),
  salesTotal: Signed,
  discountTotal: Signed,
  byTender: Type.Array(
    Type.Object({
      method: Type.Union([Type.Literal("cash"), Type.Literal("card"), Type.Literal("store_credit")]),
      amount: Signed,
    }),
  ),
  byVatRate: Type.Array(SignedVatLine),
  returnsCount: Type.Integer({ minimum: 0 }),
  returnsTotal: Signed,
  voidsCount: Type.Integer({ minimum: 0 }),
  voidsTotal: Signed,
  cashMovements: Type.Object({ count: Type.Integer({ minimum: 0 }), in: Amount, out: Amount }),
  cashTaken: Signed,
  changeGiven: Signed,
  cashRefunds: Signed,
  expectedCash: Signed,
  countedCash: Nullable(Amount),
  /** countedCash − expectedCash */
  variance: Nullable(Signed),
});
export type SessionReport = Static<typeof SessionReport>;

export const Counted = Type.Record(Type.String(), Type.Integer({ minimum: 0, maximum: 100_000 }), {
  maxProperties: 30,
  description: 'the cash counted per denomination: {"<denomination in cents>": count}, e.g. {"2000": 3, "50": 4}',
});
export type Counted = Static<typeof Counted>;

/** A register's cash session: opened with a float, closed with the cash counted. */
export const Session = Type.Object({
  id: Id,
  registerId: Id,
  storeId: Id,
  status: Type.Union([Type.Literal("open"), Type.Literal("closed")]),
  openedBy: Id,
  openedAt: DateTime,
  openingFloat: Amount,
  closedBy: Nullable(Id),
  closedAt: Nullable(DateTime),
  /** Left open after the store's closing time of its opening day (or past local midnight). */
  flagged: Type.Boolean({ description: "left open overnight" }),
  flagAfter: DateTime,
  counted: Nullable(Counted),
  countedCash: Nullable(Amount),
  expectedCash: Nullable(Signed),
  variance: Nullable(Signed),
  note: Nullable(Type.String()),
  zReport: Nullable(SessionReport),
});
export type Session = Static<typeof Session>;

/** A register with its open session (null when closed). */
export const RegisterWithSession = Type.Object({
  ...Register.properties,
  currentSession: Type.Union([Session, Type.Null()]),
});
export type RegisterWithSession = Static<typeof RegisterWithSession>;

export const CashMovement = Type.Object({
  id: Id,
  sessionId: Id,
  registerId: Id,
  direction: Type.Union([Type.Literal("in"), Type.Literal("out")]),
  amount: Amount,
  reason: CashReason,
  note: Nullable(Type.String()),
  createdBy: Id,
  createdAt: DateTime,
});
export type CashMovement = Static<typeof CashMovement>;

export const OpenSessionRequest = Type.Object(
  { openingFloat: Type.Integer({ minimum: 0, maximum: 10_000_000, description: "the cash float counted, in cents" }) },
  { additionalProperties: false },
);
export type OpenSessionRequest = Static<typeof OpenSessionRequest>;

export const CashMovementRequest = Type.Object(
  {
    direction: Type.Union([Type.Literal("in"), Type.Literal("out")]),
    amount: Type.Integer({ minimum: 1, maximum: 100_000_000, description: "in cents" }),
    reason: CashReason,
    note: Type.Optional(Note(500)),
  },
  { additionalProperties: false },
);
export type CashMovementRequest = Static<typeof CashMovementRequest>;

export const CloseSessionRequest = Type.Object(
  { counted: Counted, note: Type.Optional(Note(1000)) },
  { additionalProperties: false },
);
export type CloseSessionRequest = Static<typeof CloseSessionRequest>;

export const SessionQuery = Type.Object(
  {
    storeId: Type.Optional(Id),
    registerId: Type.Optional(Id),
    cashierId: Type.Optional(Id),
    status: Type.Optional(Type.Union([Type.Literal("open"), Type.Literal("closed")])),
    from: Type.Optional(Since),
    to: Type.Optional(Until),
    flagged: Type.Optional(Type.Boolean({ description: "true: left open overnight" })),
    ...pageQuery(),
  },
  { additionalProperties: false },
);
export type SessionQuery = Static<typeof SessionQuery>;

// ——— Sales, returns, voids, receipts ———

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
export type DiscountInput = Static<typeof DiscountInput>;

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
    {
      method: Type.Literal("store_credit"),
      code: Type.String({
        minLength: 1,
        maxLength: 40,
        pattern: "^[A-Za-z0-9-]+$",
        description: "e.g. AV-7KQ2M9XH4PZC",
      }),
      amount: Positive,
    },
    { additionalProperties: false },
  ),
]);
export type TenderInput = Static<typeof TenderInput>;

export const SaleRequest = Type.Object(
  {
    id: Type.Optional(Type.String({ ...Id, description: "a client-generated sale id (idempotency)" })),
    registerId: Id,
    lines: Type.Array(LineInput, { minItems: 1, maxItems: MAX_CART_LINES }),
    discount: Type.Optional(DiscountInput),
    tenders: Type.Array(TenderInput, { maxItems: 10 }),
  },
  { additionalProperties: false },
);
export type SaleRequest = Static<typeof SaleRequest>;

export const SaleLine = Type.Object({
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
export type SaleLine = Static<typeof SaleLine>;

export const TenderMethod = Type.Union([Type.Literal("cash"), Type.Literal("card"), Type.Literal("store_credit")]);
export type TenderMethod = Static<typeof TenderMethod>;

/** What a sale took: a card's payment and last digits, a store credit's code. */
export const Tender = Type.Object({
  method: TenderMethod,
  amount: Amount,
  paymentId: Type.Optional(Id),
  last4: Type.Optional(Type.String()),
  code: Type.Optional(Type.String()),
});
export type Tender = Static<typeof Tender>;

/** What a return or a void gave back, and how. */
export const Refund = Type.Object({
  method: TenderMethod,
  amount: Amount,
  paymentId: Type.Optional(Id),
  code: Type.Optional(Type.String()),
});
export type Refund = Static<typeof Refund>;

/** The store as a receipt prints it. */
export const ReceiptStore = Type.Object({
  id: Id,
  code: Type.String(),
  name: Type.String(),
  address: Type.Object({}, { additionalProperties: true }),
  phone: Type.String(),
  timezone: Type.String(),
});

export const Receipt = Type.Object({
  kind: Type.Union([Type.Literal("sale"), Type.Literal("return")]),
  documentId: Id,
  receiptNumber: Type.String(),
  /** false for the receipt of the sale's 201 answer; true for every reprint (DUPLICATA). */
  duplicate: Type.Boolean(),
  reprint: Type.Integer({ minimum: 0, description: "0 for the original, 1 for the first duplicate..." }),
  store: ReceiptStore,
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
  tenders: Type.Array(Tender),
  change: Amount,
  refunds: Type.Array(Refund),
  /** The sale a return was made against (its receipt number), null otherwise. */
  originalReceiptNumber: Nullable(Type.String()),
  storeCredit: Nullable(Type.Object({ code: Type.String(), amount: Amount })),
});
export type Receipt = Static<typeof Receipt>;

export const SaleStatus = Type.Union([Type.Literal("completed"), Type.Literal("voided")]);
export type SaleStatus = Static<typeof SaleStatus>;

export const Sale = Type.Object({
  id: Id,
  storeId: Id,
  registerId: Id,
  sessionId: Id,
  cashierId: Id,
  receiptNumber: Type.String(),
  status: SaleStatus,
  currency: Type.String(),
  lines: Type.Array(SaleLine),
  discount: Nullable(DiscountInput),
  subtotal: Amount,
  discountTotal: Amount,
  total: Amount,
  vat: Type.Array(VatLine),
  tenders: Type.Array(Tender),
  cashTendered: Amount,
  change: Amount,
  completedAt: DateTime,
  voidedAt: Nullable(DateTime),
  voidReason: Nullable(Type.String()),
  voidRefunds: Nullable(Type.Array(Refund)),
  reprints: Type.Integer(),
});
export type Sale = Static<typeof Sale>;

/** The 201 of POST /sales: the sale and its original receipt. */
export const CreatedSale = Type.Object({ ...Sale.properties, receipt: Receipt });
export type CreatedSale = Static<typeof CreatedSale>;

export const SaleQuery = Type.Object(
  {
    storeId: Type.Optional(Id),
    registerId: Type.Optional(Id),
    cashierId: Type.Optional(Id),
    sessionId: Type.Optional(Id),
    status: Type.Optional(SaleStatus),
    from: Type.Optional(Since),
    to: Type.Optional(Until),
    ...pageQuery(),
  },
  { additionalProperties: false },
);
export type SaleQuery = Static<typeof SaleQuery>;

export const VoidRequest = Type.Object({ reason: Line(500) }, { additionalProperties: false });
export type VoidRequest = Static<typeof VoidRequest>;

export const ReturnLineInput = Type.Object({ variantId: Id, quantity: Quantity }, { additionalProperties: false });

export const ReturnRequest = Type.Object(
  {
    registerId: Id,
    lines: Type.Array(ReturnLineInput, { minItems: 1, maxItems: MAX_CART_LINES }),
    reason: Type.Optional(Line(500)),
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
    reason: Line(500),
  },
  { additionalProperties: false },
);
export type UnreceiptedReturnRequest = Static<typeof UnreceiptedReturnRequest>;

export const ReturnLine = Type.Object({
  variantId: Id,
  productId: Id,
  sku: Type.String(),
  name: Type.String(),
  quantity: Type.Integer(),
  unitPrice: Amount,
  vatRate: VatRate,
  lineTotal: Amount,
});
export type ReturnLine = Static<typeof ReturnLine>;

export const Return = Type.Object({
  id: Id,
  saleId: Nullable(Id),
  storeId: Id,
  registerId: Id,
  sessionId: Id,
  cashierId: Id,
  status: Type.Union([Type.Literal("running"), Type.Literal("completed"), Type.Literal("failed")]),
  receiptNumber: Nullable(Type.String()),
  currency: Type.String(),
  lines: Type.Array(ReturnLine),
  total: Amount,
  vat: Type.Array(VatLine),
  refunds: Type.Array(Refund),
  reason: Nullable(Type.String()),
  storeCredit: Nullable(Type.Object({ code: Type.String(), amount: Amount })),
  createdAt: DateTime,
  completedAt: Nullable(DateTime),
});
export type Return = Static<typeof Return>;

export const ReturnQuery = Type.Object(
  {
    storeId: Type.Optional(Id),
    registerId: Type.Optional(Id),
    cashierId: Type.Optional(Id),
    sessionId: Type.Optional(Id),
    saleId: Type.Optional(Id),
    from: Type.Optional(Since),
    to: Type.Optional(Until),
    ...pageQuery(),
  },
  { additionalProperties: false },
);
export type ReturnQuery = Static<typeof ReturnQuery>;

export const ReceiptQuery = Type.Object(
  { format: Type.Optional(Type.Union([Type.Literal("json"), Type.Literal("html")])) },
  { additionalProperties: false },
);

// ——— The inalterable sales journal ———

export const JournalKind = Type.Union([
  Type.Literal("sale"),
  Type.Literal("return"),
  Type.Literal("void"),
  Type.Literal("session_close"),
  Type.Literal("reprint"),
]);
export type JournalKind = Static<typeof JournalKind>;

export const JournalEntry = Type.Object({
  storeId: Id,
  seq: Type.Integer({ minimum: 1 }),
  kind: JournalKind,
  documentId: Type.String(),
  documentNumber: Type.String(),
  occurredAt: DateTime,
  amount: Type.Integer({ description: "cents, VAT included; a sale adds, a return or a void subtracts" }),
  vat: Type.Array(VatLine),
  payload: Type.Record(Type.String(), Type.Unknown()),
  grandTotal: Type.Integer(),
  perpetualTotal: Type.Integer(),
  previousHash: Type.String({ description: "SHA-256 (hex) of the store's previous entry; 64 zeros for the first" }),
  hash: Type.String({ description: "SHA-256 (hex) of this entry's canonical form" }),
  signature: Type.String({ description: "Ed25519 signature (base64url) of the hash's 32 bytes" }),
  keyId: Id,
  recordedAt: DateTime,
});
export type JournalEntry = Static<typeof JournalEntry>;

export const JournalKey = Type.Object({
  id: Id,
  algorithm: Type.Literal("Ed25519"),
  publicKey: Type.String({ description: "the raw 32-byte public key, base64url" }),
  fingerprint: Type.String({ description: "SHA-256 (hex) of the raw public key" }),
  active: Type.Boolean(),
  createdAt: DateTime,
});
export type JournalKey = Static<typeof JournalKey>;

export const JournalBreak = Type.Union([
  Type.Literal("seq_gap"),
  Type.Literal("hash_mismatch"),
  Type.Literal("chain_break"),
  Type.Literal("unknown_key"),
  Type.Literal("bad_signature"),
  Type.Literal("totals_wrong"),
  Type.Literal("truncated"),
]);
export type JournalBreak = Static<typeof JournalBreak>;

/** The first entry of a store's journal that fails verification, and why. */
export const FirstBroken = Type.Object({
  seq: Type.Integer(),
  documentNumber: Nullable(Type.String()),
  reason: JournalBreak,
  detail: Type.String(),
});

export const StoreVerification = Type.Object({
  storeId: Id,
  entries: Type.Integer(),
  ok: Type.Boolean(),
  firstBroken: Nullable(FirstBroken),
});
export type StoreVerification = Static<typeof StoreVerification>;

export const JournalVerification = Type.Object({
  stores: Type.Array(StoreVerification),
  trustedKeys: Type.Array(Type.String(), {
    description: "the fingerprints of the keys the entries were checked against",
  }),
});
export type JournalVerification = Static<typeof JournalVerification>;

const Fingerprint = Type.String({
  pattern: "^[0-9A-Fa-f: ]{64,95}$",
  maxLength: 95,
  description: "a key's SHA-256 fingerprint (hex)",
});

export const JournalQuery = Type.Object({
  storeId: Type.Optional(Id),
  afterSeq: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
});

/** A page of a store's journal: `next` is the `afterSeq` of the next page, null at the end. */
export const JournalPage = Type.Object({
  data: Type.Array(JournalEntry),
  pagination: Type.Object({
    afterSeq: Type.Integer(),
    limit: Type.Integer(),
    next: Nullable(Type.Integer()),
  }),
});
export type JournalPage = Static<typeof JournalPage>;

export const VerifyQuery = Type.Object({ storeId: Type.Optional(Id), key: Type.Optional(Fingerprint) });

// ——— The endpoints other programs call (reporting, the CLI) ———

/** Stores by code: every store for an admin, their own for a manager or a clerk (other callers 403). */
export const listStores = endpoint({
  method: "GET",
  path: "/api/retail/stores",
  query: StoreQuery,
  responses: { 200: Page(Store) },
});

export const getStore = endpoint({
  method: "GET",
  path: "/api/retail/stores/:id",
  params: IdParams,
  responses: { 200: Store },
  errors: ["store_not_found"],
});

/** Every store, by code, as the public may see it (anonymous: the shop's store directory). */
export const storeDirectory = endpoint({
  method: "GET",
  path: "/api/retail/store-directory",
  responses: { 200: Type.Object({ data: Type.Array(PublicStore) }) },
});

/** Sales, newest first (staff see their own store's; an admin every store's). */
export const listSales = endpoint({
  method: "GET",
  path: "/api/retail/sales",
  query: SaleQuery,
  responses: { 200: Page(Sale) },
});

export const getSale = endpoint({
  method: "GET",
  path: "/api/retail/sales/:id",
  params: IdParams,
  responses: { 200: Sale },
  errors: ["sale_not_found"],
});

/** Returns, newest first (staff see their own store's). */
export const listReturns = endpoint({
  method: "GET",
  path: "/api/retail/returns",
  query: ReturnQuery,
  responses: { 200: Page(Return) },
});

export const getReturn = endpoint({
  method: "GET",
  path: "/api/retail/returns/:id",
  params: IdParams,
  responses: { 200: Return },
  errors: ["return_not_found"],
});

/** Cash sessions, newest first, with their Z reports once closed. */
export const listSessions = endpoint({
  method: "GET",
  path: "/api/retail/sessions",
  query: SessionQuery,
  responses: { 200: Page(Session) },
});

export const getSession = endpoint({
  method: "GET",
  path: "/api/retail/sessions/:id",
  params: IdParams,
  responses: { 200: Session },
  errors: ["session_not_found"],
});

/** A store's journal entries in order (stores:manage: name the store; a manager reads their own). */
export const readJournal = endpoint({
  method: "GET",
  path: "/api/retail/journal",
  query: JournalQuery,
  responses: { 200: JournalPage },
  errors: ["store_required", "journal_not_found"],
});

export const journalKeys = endpoint({
  method: "GET",
  path: "/api/retail/journal/keys",
  responses: { 200: Type.Object({ data: Type.Array(JournalKey) }) },
});

/** Recomputes each store's chain and signatures (stores:manage); `key` pins the one trusted key. */
export const verifyJournal = endpoint({
  method: "GET",
  path: "/api/retail/admin/journal/verify",
  query: VerifyQuery,
  responses: { 200: JournalVerification },
});

// ——— What the stores booked, per store and local day (the CLI's `comptoir reporting reconcile`) ———

/** The longest period of sales totals, in days (from and to included): as reporting's reports. */
export const MAX_SALES_TOTALS_DAYS = 366 * 3;

const TotalsDay = (description: string) =>
  Type.String({ pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", maxLength: 10, description });

export const SalesTotalsQuery = Type.Object(
  {
    from: TotalsDay("first local day, YYYY-MM-DD (each store's own time zone)"),
    to: TotalsDay("last local day, YYYY-MM-DD, included"),
    storeId: Type.Optional(Id),
  },
  { additionalProperties: false },
);
export type SalesTotalsQuery = Static<typeof SalesTotalsQuery>;

/** What a store booked on one of its local days (or over the period: `totals`). Amounts in cents, VAT included. */
export const SalesTotalsFigures = Type.Object({
  salesCount: Type.Integer({ description: "sales completed that day and not voided" }),
  salesTotal: Type.Integer({ description: "Σ of their totals" }),
  discountTotal: Type.Integer({ description: "Σ of their discounts" }),
  returnsCount: Type.Integer({ description: "returns completed that day" }),
  returnsTotal: Type.Integer({ description: "Σ of what they gave back" }),
  voidsCount: Type.Integer({ description: "voided sales, on the day of the sale (as reporting takes them out)" }),
  voidsTotal: Type.Integer({ description: "Σ of the voided sales' totals" }),
  closings: Type.Integer({ description: "cash sessions closed that day" }),
  cashVariance: Type.Integer({ description: "Σ of their variances (counted − expected)" }),
});
export type SalesTotalsFigures = Static<typeof SalesTotalsFigures>;

export const SalesTotalsRow = Type.Object({
  storeId: Id,
  storeCode: Type.String(),
  timezone: Type.String({ description: "the store's time zone, whose days these are" }),
  day: TotalsDay("a local day of the store"),
  ...SalesTotalsFigures.properties,
});
export type SalesTotalsRow = Static<typeof SalesTotalsRow>;

export const SalesTotals = Type.Object({
  from: TotalsDay("first day"),
  to: TotalsDay("last day"),
  data: Type.Array(SalesTotalsRow, {
    description: "per store (by code) and day (oldest first), the days with something booked",
  }),
  totals: SalesTotalsFigures,
});
export type SalesTotals = Static<typeof SalesTotals>;

/**
 * Per store and local day (the store's time zone), from retail's own tables: sales (voided ones left
 * out), returns, voids and closings, the days as reporting books retail's events (events:admin).
 */
export const salesTotals = endpoint({
  method: "GET",
  path: "/api/retail/admin/sales-totals",
  query: SalesTotalsQuery,
  responses: { 200: SalesTotals },
  errors: ["invalid_period"],
});

export const endpoints = {
  listStores,
  getStore,
  storeDirectory,
  listSales,
  getSale,
  listReturns,
  getReturn,
  listSessions,
  getSession,
  readJournal,
  journalKeys,
  verifyJournal,
  salesTotals,
};
