import { InvalidError } from "@comptoir/platform";

export const MOVEMENT_TYPES = [
  "receipt",
  "sale",
  "return",
  "adjustment",
  "transfer_out",
  "transfer_in",
  "reservation_commit",
] as const;
export type MovementType = (typeof MOVEMENT_TYPES)[number];

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

export interface Movement {
  id: string;
  variantId: string;
  locationId: string;
  type: MovementType;
  quantity: number;
  reason: string | null;
  actorId: string | null;
  reference: string | null;
  reservationId: string | null;
  transferId: string | null;
  createdAt: string;
}

export interface Level {
  variantId: string;
  locationId: string;
  onHand: number;
  reserved: number;
  available: number;
  lowStockThreshold: number | null;
}

/** Available = on hand − reserved; what a new reservation or sale may take. */
export function availableOf(level: { onHand: number; reserved: number }): number {
  return level.onHand - level.reserved;
}

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
