import { AppError } from "@comptoir/platform";
import { describe, expect, it } from "vitest";
import {
  canMove,
  holdsExactlyAt,
  holdsSameItems,
  moveStatus,
  planCommit,
  planRelease,
  type ReservationStatus,
  sortLines,
  STATUS_MOVES,
} from "./reservation";

const STATUSES = Object.keys(STATUS_MOVES) as ReservationStatus[];
const reservation = (status: ReservationStatus) => ({ id: "r1", status });

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof AppError ? [error.status, error.code] : error;
  }
  return undefined;
};

describe("the reservation's states", () => {
  it("moves only from active, to committed, released or expired; all three are final", () => {
    const allowed = STATUSES.flatMap((from) => STATUSES.filter((to) => canMove(from, to)).map((to) => `${from}→${to}`));
    expect(allowed).toEqual(["active→committed", "active→released", "active→expired"]);
  });

  it("moveStatus answers the new status, and a 409 reservation_not_active off the lifecycle", () => {
    expect(moveStatus(reservation("active"), "expired")).toBe("expired");
    for (const from of ["committed", "released", "expired"] as const) {
      for (const to of STATUSES) {
        expect(codeOf(() => moveStatus(reservation(from), to))).toEqual([409, "reservation_not_active"]);
      }
    }
  });

  it("commit: an active one is committed; committed again: nothing to do; released or expired: 409", () => {
    expect(planCommit(reservation("active"))).toEqual({ already: false });
    expect(planCommit(reservation("committed"))).toEqual({ already: true });
    expect(codeOf(() => planCommit(reservation("released")))).toEqual([409, "reservation_not_active"]);
    expect(codeOf(() => planCommit(reservation("expired")))).toEqual([409, "reservation_not_active"]);
  });

  it("release: an active one is released; released or expired: nothing to do; committed: 409", () => {
    expect(planRelease(reservation("active"))).toEqual({ already: false });
    expect(planRelease(reservation("released"))).toEqual({ already: true });
    expect(planRelease(reservation("expired"))).toEqual({ already: true });
    expect(codeOf(() => planRelease(reservation("committed")))).toEqual([409, "reservation_not_active"]);
  });
});

describe("the reservation's lines", () => {
  const lines = [
    { variantId: "b", locationId: "l2", quantity: 1 },
    { variantId: "a", locationId: "l2", quantity: 2 },
    { variantId: "b", locationId: "l1", quantity: 3 },
  ];

  it("hold the same items whatever their split over locations and the order asked", () => {
    expect(
      holdsSameItems({ lines }, [
        { variantId: "b", quantity: 4 },
        { variantId: "a", quantity: 2 },
      ]),
    ).toBe(true);
    expect(
      holdsSameItems({ lines }, [
        { variantId: "a", quantity: 1 },
        { variantId: "a", quantity: 1 },
        { variantId: "b", quantity: 4 },
      ]),
    ).toBe(true);
    expect(holdsSameItems({ lines }, [{ variantId: "a", quantity: 2 }])).toBe(false);
    expect(
      holdsSameItems({ lines }, [
        { variantId: "a", quantity: 2 },
        { variantId: "b", quantity: 5 },
      ]),
    ).toBe(false);
  });

  it("are consumed by a transfer only when all of them are at its source", () => {
    const items = [
      { variantId: "a", quantity: 2 },
      { variantId: "b", quantity: 4 },
    ];
    expect(holdsExactlyAt({ lines }, "l2", items)).toBe(false);
    const atOne = lines.map((l) => ({ ...l, locationId: "l2" }));
    expect(holdsExactlyAt({ lines: atOne }, "l2", items)).toBe(true);
  });

  it("sort by variant, then location: the order levels are locked in", () => {
    expect(sortLines(lines).map((l) => `${l.variantId}@${l.locationId}`)).toEqual(["a@l2", "b@l1", "b@l2"]);
  });
});
