import { describe, expect, it } from "vitest";
import { createKeyedLock } from "./keyed-lock";

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("the keyed lock", () => {
  it("runs the work of one key one at a time, in order; other keys do not wait", async () => {
    const lock = createKeyedLock();
    const log: string[] = [];
    const work = (name: string) => async () => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([lock("a", work("a1")), lock("a", work("a2")), lock("b", work("b1"))]);
    expect(results).toEqual(["a1", "a2", "b1"]);
    expect(log.indexOf("a1 end")).toBeLessThan(log.indexOf("a2 start"));
    expect(log.indexOf("b1 start")).toBeLessThan(log.indexOf("a1 end"));
  });

  it("a failure is its caller's only: the next work of the key still runs", async () => {
    const lock = createKeyedLock();
    const failed = lock("a", async () => {
      throw new Error("boom");
    });
    const next = lock("a", async () => "ran");
    await expect(failed).rejects.toThrow("boom");
    await expect(next).resolves.toBe("ran");
  });
});
