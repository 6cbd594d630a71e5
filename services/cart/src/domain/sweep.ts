import { type Logger, startPeriodic } from "@comptoir/platform";
import type { CartStore } from "../model/cart.store";

/**
 * Every `intervalMs`: deletes expired carts (PostgreSQL; Redis keys expire by themselves) and relays
 * the events a crash left queued in Redis (PostgreSQL writes them with the cart). Reads already
 * ignore expired carts: the sweep only frees the space. Returns a stop function.
 */
export function startSweep(store: CartStore, intervalMs: number, logger: Logger): () => Promise<void> {
  return startPeriodic(
    async () => {
      const relayed = await store.relayEvents();
      if (relayed > 0) logger.info({ relayed }, "cart events left queued relayed to the outbox");
      const n = await store.sweep();
      if (n > 0) logger.info({ deleted: n }, "expired carts deleted");
    },
    intervalMs,
    { onError: (error) => logger.warn({ err: error }, "expired carts sweep failed") },
  );
}
