import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  alertTransition,
  availableOf,
  canMoveLevel,
  checkAdjustment,
  emptyLevel,
  type Level,
  moveLevel,
  ShortOfStock,
} from "./stock";

const key = { variantId: "v1", locationId: "l1" };
const level = (onHand: number, reserved: number): Level => ({
  ...key,
  onHand,
  reserved,
  available: onHand - reserved,
  lowStockThreshold: null,
});

describe("the stock rules", () => {
  it("available is on hand − reserved; a level never stocked is all zeros", () => {
    expect(availableOf({ onHand: 7, reserved: 3 })).toBe(4);
    expect(emptyLevel(key)).toEqual(level(0, 0));
  });

  it("a move keeps on hand ≥ reserved ≥ 0 and answers the new level", () => {
    expect(moveLevel(level(5, 2), -3, 0)).toEqual(level(2, 2));
    expect(moveLevel(level(5, 2), 0, 3)).toEqual(level(5, 5));
    // A reservation's commit: on hand and reserved drop together.
    expect(moveLevel(level(5, 2), -2, -2)).toEqual(level(3, 0));
  });

  it("refuses a move that would sell or reserve more than available (409 insufficient_stock, what is available)", () => {
    const sale = () => moveLevel(level(5, 2), -4, 0);
    expect(sale).toThrow(ShortOfStock);
    expect(sale).toThrow(
      expect.objectContaining({ status: 409, code: "insufficient_stock", available: 3, requested: 4 }),
    );
    expect(() => moveLevel(level(5, 2), 0, 4)).toThrow(expect.objectContaining({ available: 3, requested: 4 }));
    expect(() => moveLevel(level(5, 2), 0, -3)).toThrow(ShortOfStock);
    expect(() => moveLevel(emptyLevel(key), -1, 0)).toThrow(ShortOfStock);
  });

  it("no sequence of moves, refused ones skipped, ever leaves on hand, reserved or available negative", () => {
    const move = fc.tuple(fc.integer({ min: -20, max: 20 }), fc.integer({ min: -20, max: 20 }));
    fc.assert(
      fc.property(fc.array(move, { maxLength: 60 }), (moves) => {
        let current = emptyLevel(key);
        for (const [onHand, reserved] of moves) {
          const allowed = canMoveLevel(current, onHand, reserved);
          try {
            current = moveLevel(current, onHand, reserved);
            expect(allowed).toBe(true);
          } catch (error) {
            expect(error).toBeInstanceOf(ShortOfStock);
            expect(allowed).toBe(false);
          }
          expect(current.reserved).toBeGreaterThanOrEqual(0);
          expect(current.onHand).toBeGreaterThanOrEqual(current.reserved);
          expect(current.available).toBe(current.onHand - current.reserved);
        }
      }),
    );
  });
});

describe("manual movements (seed 001's adjust)", () => {
  it("accepts receipts and returns that add, sales that remove, adjustments either way", () => {
    expect(checkAdjustment("receipt", 5)).toBe("receipt");
    expect(checkAdjustment("return", 1)).toBe("return");
    expect(checkAdjustment("sale", -2)).toBe("sale");
    expect(checkAdjustment("adjustment", -3)).toBe("adjustment");
    expect(checkAdjustment("adjustment", 3)).toBe("adjustment");
  });

  it("refuses other types with invalid_movement_type, and quantities of the wrong sign", () => {
    for (const type of ["transfer_in", "transfer_out", "reservation_commit", "gift", ""]) {
      expect(() => checkAdjustment(type, 1)).toThrow(
        expect.objectContaining({ code: "invalid_movement_type", status: 400 }),
      );
    }
    expect(() => checkAdjustment("receipt", -1)).toThrow(
      expect.objectContaining({ code: "invalid_movement_quantity" }),
    );
    expect(() => checkAdjustment("sale", 1)).toThrow(expect.objectContaining({ code: "invalid_movement_quantity" }));
    expect(() => checkAdjustment("adjustment", 0)).toThrow(
      expect.objectContaining({ code: "invalid_movement_quantity" }),
    );
  });
});

describe("low-stock alert transitions", () => {
  it("raises at or under the threshold, resolves above it or when the threshold goes", () => {
    expect(alertTransition(10, 10, false)).toBe("raise");
    expect(alertTransition(10, 3, true)).toBe("none");
    expect(alertTransition(10, 11, true)).toBe("resolve");
    expect(alertTransition(10, 11, false)).toBe("none");
    expect(alertTransition(null, 0, true)).toBe("resolve");
    expect(alertTransition(null, 0, false)).toBe("none");
  });
});
