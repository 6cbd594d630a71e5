import { Type } from "typebox";
import { Nullable, Quantity, Sku, StockLevel, Uuid } from "./common";
import { defineEvent } from "./define";

/** The kinds of ledger movement (SPEC §3.4). */
export const MovementType = Type.Union([
  Type.Literal("receipt"),
  Type.Literal("sale"),
  Type.Literal("return"),
  Type.Literal("adjustment"),
  Type.Literal("transfer_out"),
  Type.Literal("transfer_in"),
  Type.Literal("reservation_commit"),
]);

/** What a stock location is: the central warehouse, a store, or the online channel's fulfilment location. */
export const LocationKind = Type.Union([Type.Literal("warehouse"), Type.Literal("store"), Type.Literal("online")]);

/** Where a stock level is: the location, its kind, and the store it belongs to (null when not a store). */
const whereFields = {
  variantId: Uuid,
  locationId: Uuid,
  locationKind: LocationKind,
  storeId: Nullable(Uuid),
};

/** A low-stock alert on one (variant, location), with what an e-mail to the store's manager needs. */
export const StockAlert = Type.Object({
  alertId: Uuid,
  ...whereFields,
  sku: Sku,
  productName: Type.String({ minLength: 1 }),
  threshold: StockLevel,
  available: StockLevel,
});

export const ReservationLine = Type.Object({
  variantId: Uuid,
  locationId: Uuid,
  quantity: Quantity,
});

export const inventoryEvents = {
  "inventory.stock.changed": defineEvent({
    version: 1,
    subject: "variant id",
    description:
      "A movement was recorded in the ledger for one (variant, location); data is the movement and the level after it.",
    data: Type.Object({
      movementId: Uuid,
      ...whereFields,
      onHand: StockLevel,
      reserved: StockLevel,
      available: StockLevel,
      /** Signed change of on-hand quantity (or of reserved, for a reservation commit, where on hand drops too). */
      delta: Type.Integer(),
      movementType: MovementType,
      reason: Nullable(Type.String()),
      /** What caused it: an order id, a sale id, a supply request id...; null for a manual adjustment. */
      reference: Nullable(Type.String({ minLength: 1 })),
      /** The staff member behind it; null when a system process did it. */
      actorId: Nullable(Uuid),
      /** The (variant, location) low-stock threshold; null when none is set. */
      lowStockThreshold: Nullable(StockLevel),
    }),
  }),
  "inventory.alert.raised": defineEvent({
    version: 1,
    subject: "variant id",
    description: "Available stock of a variant at a location fell to or under its low-stock threshold.",
    data: StockAlert,
  }),
  "inventory.alert.resolved": defineEvent({
    version: 1,
    subject: "variant id",
    description: "An open low-stock alert was resolved: available stock is back above the threshold.",
    data: StockAlert,
  }),
  "inventory.reservation.expired": defineEvent({
    version: 1,
    subject: "reservation id",
    description: "A reservation reached its expiry before being committed or released: its quantities are free again.",
    data: Type.Object({
      reservationId: Uuid,
      /** The reference given when reserving (e.g. the order or checkout id). */
      reference: Type.String({ minLength: 1 }),
      lines: Type.Array(ReservationLine, { minItems: 1 }),
    }),
  }),
};
