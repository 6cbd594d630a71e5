import { AppError } from "@comptoir/platform";
import { describe, expect, it } from "vitest";
import { planUserChange, type User } from "./user";

const user = (over: Partial<User> = {}): User => ({
  id: "u1",
  email: "a@example.com",
  name: "Anne",
  role: "clerk",
  storeId: "s1",
  language: "fr",
  active: true,
  createdAt: "",
  updatedAt: "",
  ...over,
});

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return [error.status, error.code];
    throw error;
  }
  return undefined;
};

describe("an admin's change to a user", () => {
  it("keeps only what differs, in the order the update event names it", () => {
    const plan = planUserChange(user({ active: false }), "admin", {
      name: " Anne ",
      role: "manager",
      storeId: "s2",
      active: true,
    });
    expect(plan.changes).toEqual({ role: "manager", storeId: "s2", active: true });
    expect(plan.changedFields).toEqual(["role", "storeId", "active"]);
    expect(plan.deactivating).toBe(false);
  });

  it("changes nothing when the request repeats the current state", () => {
    expect(planUserChange(user(), "admin", { name: "Anne", role: "clerk", active: true })).toEqual({
      changes: {},
      changedFields: [],
      deactivating: false,
    });
  });

  it("a deactivation is its own event: not among the updated fields", () => {
    const plan = planUserChange(user(), "admin", { active: false });
    expect(plan).toEqual({ changes: { active: false }, changedFields: [], deactivating: true });
    expect(planUserChange(user({ active: false }), "admin", { active: false }).deactivating).toBe(false);
  });

  it("nobody changes their own role or deactivates themself", () => {
    expect(refusal(() => planUserChange(user(), "u1", { role: "admin" }))).toEqual([403, "cannot_change_own_role"]);
    expect(refusal(() => planUserChange(user(), "u1", { active: false }))).toEqual([403, "cannot_deactivate_self"]);
    expect(planUserChange(user(), "u1", { role: "clerk", name: "Anna" }).changes).toEqual({ name: "Anna" });
  });

  it("a customer has no store: becoming one leaves it, being given one is refused", () => {
    const plan = planUserChange(user(), "admin", { role: "customer" });
    expect(plan.changes).toEqual({ role: "customer", storeId: null });
    expect(refusal(() => planUserChange(user(), "admin", { role: "customer", storeId: "s1" }))).toEqual([
      400,
      "store_not_allowed",
    ]);
    expect(
      refusal(() => planUserChange(user({ role: "customer", storeId: null }), "admin", { storeId: "s1" })),
    ).toEqual([400, "store_not_allowed"]);
  });
});
