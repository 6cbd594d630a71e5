import type { App } from "@comptoir/platform";
import type { SagaRunner } from "./saga-runner";

/**
 * Resumes this service's due sagas every `intervalMs` while the app runs (from ready to close):
 * those of a crashed instance once its lease has expired, this instance's own from a previous life
 * at once, and those waiting for a retry. 0 turns it off (tests resume by hand).
 */
export function runSagaWorker(app: App, sagas: SagaRunner, intervalMs: number): void {
  if (intervalMs <= 0) return;
  let stop: (() => Promise<void>) | undefined;
  app.addHook("onReady", async () => {
    stop = sagas.startWorker(intervalMs);
  });
  app.addHook("onClose", async () => {
    await stop?.();
  });
}
