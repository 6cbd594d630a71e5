import { AppError } from "@comptoir/platform";
import { describe, expect, it } from "vitest";
import {
  assertBarcode,
  assertCompareAtPrice,
  duplicateKeyValue,
  duplicatesOf,
  gs1CheckDigit,
  moveStatus,
  type ProductStatus,
} from "./product";

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

describe("barcodes", () => {
  it("computes the GS1 check digit of EAN-13, EAN-8, UPC-A and GTIN-14 bodies", () => {
    expect(gs1CheckDigit("400638133393")).toBe(1); // EAN-13 4006381333931
    expect(gs1CheckDigit("9638507")).toBe(4); // EAN-8 96385074
    expect(gs1CheckDigit("03600029145")).toBe(2); // UPC-A 036000291452
    expect(gs1CheckDigit("1001234567890")).toBe(2); // GTIN-14 10012345678902
  });

  it("accepts 8 to 14 digits with a valid check digit where the length has one", () => {
    for (const code of ["4006381333931", "96385074", "036000291452", "10012345678902", "123456789", "12345678901"]) {
      expect(codeOf(() => assertBarcode(code))).toBeUndefined();
    }
  });

  it("refuses a wrong check digit, too few or too many digits, and letters: 400 invalid_barcode", () => {
    for (const code of ["4006381333932", "96385075", "1234567", "123456789012345", "40063813339A1"]) {
      expect(codeOf(() => assertBarcode(code))).toEqual([400, "invalid_barcode"]);
    }
  });
});
