import { describe, expect, it } from "vitest";
import { alertTransition, checkAdjustment } from "./movements";

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
