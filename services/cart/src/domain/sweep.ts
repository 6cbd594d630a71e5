import { type Logger, startPeriodic } from "@comptoir/platform";
import type { CartStore } from "../model/cart.store";

/**
 * Deletes expired carts every `intervalMs` (PostgreSQL; Redis keys expire by themselves). Reads
 * already ignore expired carts: the sweep only frees the space. Returns a stop function.
 */
export function startSweep(store: CartStore, intervalMs: number, logger: Logger): () => Promise<void> {
  return startPeriodic(
    async () => {
      const n = await store.sweep();
      if (n > 0) logger.info({ deleted: n }, "expired carts deleted");
    },
    intervalMs,
    { onError: (error) => logger.warn({ err: error }, "expired carts sweep failed") },
  );
}
