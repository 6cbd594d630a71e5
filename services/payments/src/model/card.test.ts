import { describe, expect, it } from "vitest";
import { brandOf, checkCard, luhnValid } from "./card";

const NOW = new Date("2026-05-15T12:00:00Z");

describe("Luhn", () => {
  it("accepts well-known test numbers, refuses a changed digit", () => {
    for (const n of ["4242424242424242", "5555555555554444", "378282246310005", "6011111111111117"]) {
      expect(luhnValid(n), n).toBe(true);
    }
    expect(luhnValid("4242424242424241")).toBe(false);
    expect(luhnValid("4242424242424224")).toBe(false);
  });
});

describe("brand", () => {
  it.each([
    ["4242424242424242", "visa"],
    ["5105105105105100", "mastercard"],
    ["5555555555554444", "mastercard"],
    ["2221000000000009", "mastercard"],
    ["2720990000000007", "mastercard"],
    ["2220990000000000", "other"],
    ["2721000000000000", "other"],
    ["5000000000000000", "other"],
    ["5600000000000000", "other"],
    ["340000000000009", "amex"],
    ["378282246310005", "amex"],
    ["6011111111111117", "other"],
  ])("%s is %s", (number, brand) => expect(brandOf(number)).toBe(brand));
});

describe("checking a card", () => {
  const good = { number: "4242424242424242", expMonth: 5, expYear: 2026, cvc: "123" };

  it("keeps the brand, the last four digits and the expiry; good through the end of its month", () => {
    expect(checkCard(good, NOW)).toEqual({ brand: "visa", last4: "4242", expMonth: 5, expYear: 2026 });
    expect(() => checkCard(good, new Date("2026-05-31T23:59:59Z"))).not.toThrow();
    expect(() => checkCard(good, new Date("2026-06-01T00:00:00Z"))).toThrow();
  });

  it("lists every problem, by field, without the values", () => {
    try {
      checkCard({ number: "4242424242424241", expMonth: 4, expYear: 2026, cvc: "12345" }, NOW);
      expect.unreachable();
    } catch (error: any) {
      expect(error.code).toBe("invalid_card");
      expect(error.status).toBe(400);
      expect(error.errors.map((e: any) => e.field)).toEqual(["card.number", "card.expYear", "card.cvc"]);
      expect(JSON.stringify({ detail: error.detail, errors: error.errors })).not.toContain("4242424242424241");
    }
  });

  it.each([
    [{ number: "42424242424" }, "card.number"],
    [{ number: "4".repeat(20) }, "card.number"],
    [{ number: "4242-4242-4242-4242" }, "card.number"],
    [{ expMonth: 0 }, "card.expMonth"],
    [{ expMonth: 13 }, "card.expMonth"],
    [{ expYear: 26 }, "card.expYear"],
    [{ expYear: 2025, expMonth: 12 }, "card.expYear"],
    [{ cvc: "12" }, "card.cvc"],
    [{ cvc: "1a3" }, "card.cvc"],
  ])("refuses %j (%s)", (change, field) => {
    expect(() => checkCard({ ...good, ...change }, NOW)).toThrow(
      expect.objectContaining({ code: "invalid_card", errors: [expect.objectContaining({ field })] }),
    );
  });

  it("accepts 12 and 19 digit numbers and 4-digit CVCs", () => {
    expect(checkCard({ ...good, number: "500000000009" }, NOW).brand).toBe("other");
    expect(checkCard({ ...good, number: "4000000000000000006" }, NOW).last4).toBe("0006");
    expect(checkCard({ ...good, cvc: "1234" }, NOW).last4).toBe("4242");
  });
});
