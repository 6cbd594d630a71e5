import { get } from "node:http";
import { sleep } from "../system/processes";

/**
 * True when `GET <baseUrl>/health/ready` answers 200. Plain node:http rather than fetch: loading
 * fetch (undici) would add some 20 MB to a launcher that otherwise mostly waits.
 */
export function isReady(baseUrl: string, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(`${baseUrl}/health/ready`, { timeout: timeoutMs, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(false));
  });
}

/** Polls until the instance is ready; rejects only when `signal` aborts. */
export async function waitUntilReady(baseUrl: string, signal: AbortSignal, intervalMs = 200): Promise<void> {
  for (;;) {
    signal.throwIfAborted();
    if (await isReady(baseUrl)) return;
    signal.throwIfAborted();
    await sleep(intervalMs);
  }
}
