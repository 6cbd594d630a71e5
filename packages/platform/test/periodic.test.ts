import { describe, expect, it } from "vitest";
import { startPeriodic } from "../src";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("startPeriodic", () => {
  it("runs again after each run ends (never two at once), goes on after a failure, and stop waits for the run", async () => {
    let running = 0;
    let overlapped = false;
    let runs = 0;
    const errors: unknown[] = [];
    const stop = startPeriodic(
      async () => {
        running++;
        overlapped ||= running > 1;
        runs++;
        await sleep(15);
        running--;
        if (runs === 2) throw new Error("second run fails");
      },
      5,
      { onError: (e) => errors.push(e), immediately: true },
    );
    await sleep(120);
    await stop();
    const after = runs;
    expect(running).toBe(0);
    await sleep(50);
    expect(runs).toBe(after);
    expect(after).toBeGreaterThanOrEqual(3);
    expect(overlapped).toBe(false);
    expect(errors).toEqual([new Error("second run fails")]);
  });

  it("waits one interval before the first run unless told to start at once", async () => {
    let runs = 0;
    const stop = startPeriodic(async () => void runs++, 200, { onError: () => {} });
    await sleep(50);
    expect(runs).toBe(0);
    await stop();
  });
});
