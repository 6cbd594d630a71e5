import { AppError } from "@comptoir/platform";
import { describe, expect, it } from "vitest";
import { assertCompareAtPrice, duplicateKeyValue, duplicatesOf, moveStatus, type ProductStatus } from "./product";

const product = (status: ProductStatus) => ({ id: "p1", status });

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? [error.status, error.code] : error;
  }
  return undefined;
};

describe("product status", () => {
  it("goes between draft and active, and from either to archived", () => {
    expect(moveStatus(product("draft"), "active")).toBe("active");
    expect(moveStatus(product("active"), "draft")).toBe("draft");
    expect(moveStatus(product("draft"), "archived")).toBe("archived");
    expect(moveStatus(product("active"), "archived")).toBe("archived");
  });

  it("never leaves archived: any move from it, archiving again included, is a 409 product_archived", () => {
    for (const to of ["draft", "active", "archived"] as const) {
      expect(codeOf(() => moveStatus(product("archived"), to))).toEqual([409, "product_archived"]);
    }
  });
});

describe("compare-at price", () => {
  it("must be above the price, or absent", () => {
    expect(() => assertCompareAtPrice(1000, null)).not.toThrow();
    expect(() => assertCompareAtPrice(1000, undefined)).not.toThrow();
    expect(() => assertCompareAtPrice(1000, 1200)).not.toThrow();
    expect(codeOf(() => assertCompareAtPrice(1000, 1000))).toEqual([400, "compare_at_price_not_above_price"]);
  });
});

describe("duplicates", () => {
  it("lists each repeated value once, in order of first repeat", () => {
    expect(duplicatesOf(["a", "b", "a", "c", "b", "a"])).toEqual(["a", "b"]);
    expect(duplicatesOf(["a", "b"])).toEqual([]);
  });

  it("reads the value of PostgreSQL's unique violation detail", () => {
    expect(duplicateKeyValue("Key (sku)=(ABC-1) already exists.")).toBe("ABC-1");
    expect(duplicateKeyValue(undefined)).toBeUndefined();
  });
});
