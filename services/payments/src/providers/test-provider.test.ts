import { describe, expect, it } from "vitest";
import { checkCard, luhnValid } from "../model/card";
import { TEST_CARDS } from "./test-provider";

describe("the test provider's cards", () => {
  it("each passes the card check, so that it reaches the provider", () => {
    const now = new Date("2026-05-15T12:00:00Z");
    for (const number of Object.values(TEST_CARDS)) {
      expect(luhnValid(number), number).toBe(true);
      expect(checkCard({ number, expMonth: 12, expYear: 2030, cvc: "123" }, now).brand).toBe("visa");
    }
  });
});
