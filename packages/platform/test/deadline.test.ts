import { describe, expect, it } from "vitest";
import { startDeadline } from "../src";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("startDeadline", () => {
  it("aborts its signal once the time runs out, and says so", async () => {
    const deadline = startDeadline(20);
    expect(deadline.signal.aborted).toBe(false);
    await sleep(60);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.expired).toBe(true);
  });

  it("tells an abort for another reason from the time running out", async () => {
    const deadline = startDeadline(20);
    deadline.abort();
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.expired).toBe(false);
    deadline.clear();
    await sleep(60);
    expect(deadline.expired).toBe(false);
  });

  it("never fires once cleared", async () => {
    const deadline = startDeadline(20);
    let aborts = 0;
    deadline.signal.addEventListener("abort", () => aborts++);
    deadline.clear();
    await sleep(60);
    expect(aborts).toBe(0);
    expect(deadline.signal.aborted).toBe(false);
  });
});
