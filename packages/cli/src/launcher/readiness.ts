import { get } from "node:http";
import { sleep } from "../system/processes";

/** Every instance's readiness probe: it can serve. */
export const READY_PATH = "/health/ready";
/** The gateway's view of every upstream: 200 once each service has an instance up. */
export const GATEWAY_STATUS_PATH = "/health/status";

/**
 * True when `GET <baseUrl><path>` answers 200: by default `/health/ready`, the instance can serve.
 * Plain node:http rather than fetch: loading fetch (undici) would add some 20 MB to a launcher that
 * otherwise mostly waits.
 */
export function isReady(baseUrl: string, timeoutMs = 2_000, path = READY_PATH): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(`${baseUrl}${path}`, { timeout: timeoutMs, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on("timeout", () => request.destroy());
    request.on("error", () => resolve(false));
  });
}

/** Polls until `path` answers 200; rejects only when `signal` aborts. */
export async function waitUntilReady(
  baseUrl: string,
  signal: AbortSignal,
  intervalMs = 200,
  path = READY_PATH,
): Promise<void> {
  for (;;) {
    signal.throwIfAborted();
    if (await isReady(baseUrl, undefined, path)) return;
    signal.throwIfAborted();
    await sleep(intervalMs);
  }
}
