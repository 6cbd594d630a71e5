import { expect } from "vitest";
import type { JsonResponse } from "./http";

/** A problem+json answer of this status (and this code, when given), as the error plugin renders it. */
export function expectProblem(res: JsonResponse, status: number, code?: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, title: expect.any(String), ...(code === undefined ? {} : { code }) });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every 50 ms until `done`; fails after `timeoutMs` with the last value seen. */
export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await sleep(50);
    value = await probe();
  }
  return value;
}

/**
 * Closes parts one after the other, giving each `eachMs` and naming one that hangs (then going on),
 * so that a stuck part shows in the log instead of timing out a whole afterAll. Errors are ignored:
 * a close runs after the assertions.
 */
export async function closeEach(
  label: string,
  parts: readonly (readonly [what: string, close: () => Promise<unknown>])[],
  eachMs = 15_000,
): Promise<void> {
  for (const [what, close] of parts) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.resolve()
        .then(close)
        .catch(() => {}),
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          console.warn(`${label}: ${what} did not close within ${eachMs / 1000} s`);
          resolve();
        }, eachMs);
      }),
    ]);
    clearTimeout(timer);
  }
}
