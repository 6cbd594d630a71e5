import type { Logger } from "@comptoir/platform";
import type { CartStore } from "./cart.store";

/**
 * Deletes expired carts every `intervalMs` (PostgreSQL; Redis keys expire by themselves). Reads
 * already ignore expired carts: the sweep only frees the space. Returns a stop function.
 */
export function startSweep(store: CartStore, intervalMs: number, logger: Logger): () => Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    running = store
      .sweep()
      .then((n) => {
        if (n > 0) logger.info({ deleted: n }, "expired carts deleted");
      })
      .catch((error: unknown) => logger.warn({ err: error }, "expired carts sweep failed"))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, intervalMs);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
