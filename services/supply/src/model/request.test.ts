import { AppError } from "@comptoir/platform";
import { describe, expect, it } from "vitest";
import {
  assertTransition,
  canMove,
  MAX_LINE_QUANTITY,
  mergeLines,
  requestLinesOf,
  type RequestStatus,
  STATUS_MOVES,
} from "./request";

const STATUSES = Object.keys(STATUS_MOVES) as RequestStatus[];
const request = (status: RequestStatus) => ({ id: "r1", status });

const refusalOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? [error.status, error.code] : error;
  }
  return undefined;
};

const A = "00000000-0000-7000-8000-00000000000a";
const B = "00000000-0000-7000-8000-00000000000b";

describe("a supply request's life", () => {
  it("is decided once while pending, and an approved one finishes completed or failed", () => {
    expect(() => assertTransition(request("requested"), "approved")).not.toThrow();
    expect(() => assertTransition(request("requested"), "rejected")).not.toThrow();
    expect(() => assertTransition(request("approved"), "completed")).not.toThrow();
    expect(() => assertTransition(request("approved"), "failed")).not.toThrow();
  });

  it("a decision on a request that is no longer pending is a 409 request_already_decided", () => {
    for (const from of ["approved", "rejected", "completed", "failed"] as const) {
      for (const to of ["approved", "rejected"] as const) {
        expect(refusalOf(() => assertTransition(request(from), to))).toEqual([409, "request_already_decided"]);
      }
    }
  });

  it("any other illegal move is a 409 request_state_conflict: a pending one cannot finish, a final one never moves", () => {
    expect(refusalOf(() => assertTransition(request("requested"), "completed"))).toEqual([
      409,
      "request_state_conflict",
    ]);
    expect(refusalOf(() => assertTransition(request("requested"), "failed"))).toEqual([409, "request_state_conflict"]);
    for (const from of ["rejected", "completed", "failed"] as const) {
      for (const to of STATUSES) expect(canMove(from, to)).toBe(false);
      expect(refusalOf(() => assertTransition(request(from), "completed"))).toEqual([409, "request_state_conflict"]);
    }
    expect(canMove("approved", "approved")).toBe(false);
    expect(canMove("requested", "requested")).toBe(false);
  });
});

describe("a request's lines", () => {
  it("add up per variant, in a stable order", () => {
    expect(
      mergeLines([
        { variantId: B, quantity: 2 },
        { variantId: A, quantity: 1 },
        { variantId: B, quantity: 3 },
      ]),
    ).toEqual([
      { variantId: A, quantity: 1 },
      { variantId: B, quantity: 5 },
    ]);
  });

  it("of one variant may not add up to more than a line holds (400 validation_failed)", () => {
    const half = MAX_LINE_QUANTITY / 2;
    expect(
      requestLinesOf([
        { variantId: A, quantity: half },
        { variantId: A, quantity: half },
      ]),
    ).toEqual([{ variantId: A, quantity: MAX_LINE_QUANTITY }]);
    expect(
      refusalOf(() =>
        requestLinesOf([
          { variantId: A, quantity: half },
          { variantId: A, quantity: half + 1 },
        ]),
      ),
    ).toEqual([400, "validation_failed"]);
  });
});
