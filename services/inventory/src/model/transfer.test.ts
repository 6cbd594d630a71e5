import { describe, expect, it } from "vitest";
import { assertTwoLocations, planReverse } from "./transfer";

describe("transfers", () => {
  it("need two different locations (400 transfer_same_location)", () => {
    expect(() => assertTwoLocations("l1", "l2")).not.toThrow();
    expect(() => assertTwoLocations("l1", "l1")).toThrow(
      expect.objectContaining({ code: "transfer_same_location", status: 400 }),
    );
  });

  it("are reversed once: reversing again answers the transfer as it is", () => {
    expect(planReverse({ status: "completed" })).toEqual({ already: false });
    expect(planReverse({ status: "reversed" })).toEqual({ already: true });
  });
});
