import { inventoryHttp } from "@comptoir/contracts/http";
import { ServiceProblem, UnavailableError } from "@comptoir/platform";
import { describe, expect, it } from "vitest";
import { asStep, settleStep, StepRefused } from "../src";

const refusal = (code: string, status = 409) => {
  const problem = { type: "about:blank", title: "Conflict", status, code, detail: `refused: ${code}` };
  return new ServiceProblem("inventory", status, code, problem.detail, problem, {
    status,
    headers: {},
    body: problem,
  } as never);
};

describe("saga step answers", () => {
  it("asStep turns a provider's refusal into the step's refusal, with its code", async () => {
    const step = asStep("reserving", Promise.reject(refusal("insufficient_stock")));
    await expect(step).rejects.toBeInstanceOf(StepRefused);
    await expect(step).rejects.toMatchObject({ code: "insufficient_stock" });
  });

  it("settleStep takes an 'already done' refusal as success", async () => {
    await expect(
      settleStep(
        "releasing",
        inventoryHttp.releaseReservation,
        Promise.reject(refusal("reservation_not_active")),
        "reservation_not_active",
      ),
    ).resolves.toBeUndefined();
  });

  it("settleStep still refuses on any other code, and lets no-answer errors through as they are", async () => {
    await expect(
      settleStep(
        "releasing",
        inventoryHttp.releaseReservation,
        Promise.reject(refusal("reservation_not_found", 404)),
        "reservation_not_active",
      ),
    ).rejects.toMatchObject({ code: "reservation_not_found" });
    const down = new UnavailableError("inventory is down");
    await expect(
      settleStep("releasing", inventoryHttp.releaseReservation, Promise.reject(down), "reservation_not_active"),
    ).rejects.toBe(down);
  });
});
