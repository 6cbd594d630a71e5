import { describe, expect, it } from "vitest";
import { AppError, memoizeAsync, problemError } from "../src/index";

describe("memoizeAsync", () => {
  it("loads once for every caller, those that came while it ran included", async () => {
    let calls = 0;
    const load = memoizeAsync(async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return calls;
    });
    expect(await Promise.all([load(), load(), load()])).toEqual([1, 1, 1]);
    expect(await load()).toBe(1);
    expect(calls).toBe(1);
  });

  it("loads again after a failure, so a passing failure is not kept", async () => {
    let calls = 0;
    const load = memoizeAsync(async () => {
      calls++;
      if (calls === 1) throw new Error("the database is restarting");
      return "key";
    });
    await expect(load()).rejects.toThrow("the database is restarting");
    expect(await load()).toBe("key");
    expect(await load()).toBe("key");
    expect(calls).toBe(2);
  });
});

describe("problemError", () => {
  it("turns a stored problem back into the AppError that renders it, extensions included", () => {
    const error = problemError({
      status: 409,
      code: "insufficient_stock",
      title: "Out of stock",
      detail: "Some items are not available.",
      short: [{ variantId: "v1", requested: 3, available: 1 }],
    });
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: "insufficient_stock",
      status: 409,
      title: "Out of stock",
      detail: "Some items are not available.",
      extensions: { short: [{ variantId: "v1", requested: 3, available: 1 }] },
    });
  });
});
