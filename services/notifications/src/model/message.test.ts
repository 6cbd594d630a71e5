import { AppError } from "@comptoir/platform";
import { describe, expect, it } from "vitest";
import { afterFailedSend, assertRequeueable, canMove, type MessageStatus, retryDelay } from "./message";

const policy = { maxAttempts: 3, retryBaseMs: 1000, retryMaxMs: 5000 };

describe("a message's status", () => {
  it("leaves the queue once, delivered, given up or superseded; only a dead one comes back", () => {
    for (const to of ["sent", "stored", "dead", "superseded"] as const) expect(canMove("queued", to)).toBe(true);
    expect(canMove("dead", "queued")).toBe(true);
    const final: MessageStatus[] = ["sent", "stored", "superseded"];
    for (const from of final) expect(canMove(from, "queued")).toBe(false);
    expect(canMove("dead", "sent")).toBe(false);
  });

  it("an admin's retry of a message that is not dead is a 409 message_not_dead", () => {
    expect(() => assertRequeueable({ id: "m", status: "dead" })).not.toThrow();
    for (const status of ["queued", "sent", "stored", "superseded"] as const) {
      let refusal: unknown;
      try {
        assertRequeueable({ id: "m", status });
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(AppError);
      expect(refusal).toMatchObject({ status: 409, code: "message_not_dead" });
    }
  });
});

describe("a failed send", () => {
  it("is retried later, with delays doubling from the base up to the cap", () => {
    expect([1, 2, 3, 4, 5].map((a) => retryDelay(policy, a))).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(afterFailedSend(policy, 2, false)).toEqual({ status: "queued", retryInMs: 2000 });
  });

  it("kills the message after the last attempt, or at once when refused for good", () => {
    expect(afterFailedSend(policy, 3, false)).toEqual({ status: "dead" });
    expect(afterFailedSend(policy, 1, true)).toEqual({ status: "dead" });
  });
});
