import { MovementType as MovementTypeSchema } from "@comptoir/contracts";
import { inventoryHttp } from "@comptoir/contracts/http";
import { ConflictError, DateTime, Id, InvalidError, Nullable, type Static, Type } from "@comptoir/platform";

/**
 * Stock: a level per (variant, location) and the ledger of movements that moved it. The rules:
 * on hand never negative, reserved never negative nor above on hand, available = on hand − reserved.
 * The UPDATE that moves a level (db/stock.repo.ts, MOVE_LEVEL) checks the same condition as
 * `canMoveLevel`, so that concurrent moves cannot break them.
 */

export const MovementType = MovementTypeSchema;
export type MovementType = Static<typeof MovementType>;

/** A ledger entry (inventory's HTTP contract). */
export const Movement = inventoryHttp.Movement;
export type Movement = Static<typeof Movement>;

/** A level: what one variant has at one location. */
export const Level = inventoryHttp.Level;
export type Level = Static<typeof Level>;

/** A level with its variant's SKU and name and its location's code, as lists show it. */
export const LevelView = inventoryHttp.LevelView;
export type LevelView = Static<typeof LevelView>;

export interface LevelKey {
  variantId: string;
  locationId: string;
}

/** Types a person may record with POST /stock/adjust, and the sign their quantity must have. */
const ADJUSTABLE: Record<string, "positive" | "negative" | "any"> = {
  receipt: "positive",
  return: "positive",
  sale: "negative",
  adjustment: "any",
};

export const ADJUSTABLE_TYPES = Object.keys(ADJUSTABLE) as ("receipt" | "return" | "sale" | "adjustment")[];

/**
 * Checks a manual movement (seed 001: 400 on an invalid type). Transfers and reservation commits
 * have their own endpoints; the quantity's sign must match the type (a receipt adds, a sale removes).
 */
export function checkAdjustment(type: string, changeQuantity: number): MovementType {
  const sign = ADJUSTABLE[type];
  if (!sign) {
    throw new InvalidError(
      "invalid_movement_type",
      `"${type}" is not a movement type this endpoint records; use one of ${ADJUSTABLE_TYPES.join(", ")}.`,
      { errors: [{ in: "body", field: "type", message: `must be one of ${ADJUSTABLE_TYPES.join(", ")}` }] },
    );
  }
  if (!Number.isInteger(changeQuantity) || changeQuantity === 0) {
    throw invalidQuantity("must be a non-zero integer");
  }
  if (sign === "positive" && changeQuantity < 0) throw invalidQuantity(`must be positive for a ${type}`);
  if (sign === "negative" && changeQuantity > 0) throw invalidQuantity(`must be negative for a ${type}`);
  return type as MovementType;
}

const invalidQuantity = (message: string) =>
  new InvalidError("invalid_movement_quantity", `changeQuantity ${message}.`, {
    errors: [{ in: "body", field: "changeQuantity", message }],
  });

/** Available = on hand − reserved; what a new reservation or sale may take. */
export function availableOf(level: Pick<Level, "onHand" | "reserved">): number {
  return level.onHand - level.reserved;
}

/** The level of a variant never stocked at a location: zeros, no threshold. */
export const emptyLevel = (key: LevelKey): Level => ({
  ...key,
  onHand: 0,
  reserved: 0,
  available: 0,
  lowStockThreshold: null,
});

/** Whether a level may move by these deltas: reserved stays ≥ 0 and on hand stays ≥ reserved (so ≥ 0). */
export function canMoveLevel(level: Pick<Level, "onHand" | "reserved">, onHandDelta: number, reservedDelta: number) {
  const reserved = level.reserved + reservedDelta;
  return reserved >= 0 && level.onHand + onHandDelta >= reserved;
}

/**
 * A level that cannot move that far (less available than a sale, a transfer or a reservation takes).
 * A 409 insufficient_stock as it is; the use cases answer it as their endpoint says (a 400 for an
 * adjustment, the short items for a transfer).
 */
export class ShortOfStock extends ConflictError {
  override name = "ShortOfStock";
  constructor(
    readonly variantId: string,
    readonly locationId: string,
    readonly available: number,
    readonly requested: number,
  ) {
    super(
      "insufficient_stock",
      `Only ${available} available of variant ${variantId} at ${locationId}, ${requested} asked.`,
      {
        extensions: { available },
      },
    );
  }
}

/** The refusal of a move of `level` by these deltas: what it has available, and what the move asked. */
export function shortOf(level: Level, onHandDelta: number, reservedDelta: number): ShortOfStock {
  const requested = onHandDelta === 0 ? reservedDelta : -onHandDelta;
  return new ShortOfStock(level.variantId, level.locationId, level.available, requested);
}

/** The level after a move, or ShortOfStock when the move would break the stock rules. */
export function moveLevel(level: Level, onHandDelta: number, reservedDelta: number): Level {
  if (!canMoveLevel(level, onHandDelta, reservedDelta)) throw shortOf(level, onHandDelta, reservedDelta);
  const onHand = level.onHand + onHandDelta;
  const reserved = level.reserved + reservedDelta;
  return { ...level, onHand, reserved, available: availableOf({ onHand, reserved }) };
}

export const AlertStatus = Type.Union([Type.Literal("open"), Type.Literal("resolved")]);

const AlertFields = {
  id: Id,
  variantId: Id,
  locationId: Id,
  status: AlertStatus,
  threshold: Type.Integer(),
  available: Type.Integer({ description: "available when the alert was raised" }),
  raisedAt: DateTime,
  resolvedAt: Nullable(DateTime),
};

/** A low-stock alert: open while available is at or under the level's threshold, then resolved. */
export const Alert = Type.Object(AlertFields);
export type Alert = Static<typeof Alert>;

/** An alert with its variant's SKU and product name, as the list shows it. */
export const AlertView = Type.Object({ ...AlertFields, sku: Type.String(), productName: Type.String() });
export type AlertView = Static<typeof AlertView>;

/** What an alert should do after a level changed: open one, resolve the open one, or nothing. */
export function alertTransition(
  threshold: number | null,
  available: number,
  hasOpenAlert: boolean,
): "raise" | "resolve" | "none" {
  if (threshold === null) return hasOpenAlert ? "resolve" : "none";
  if (available <= threshold) return hasOpenAlert ? "none" : "raise";
  return hasOpenAlert ? "resolve" : "none";
}
