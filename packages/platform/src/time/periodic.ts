/**
 * Runs `task` again and again, `intervalMs` after each run ends (never two runs at once), the first
 * time after `intervalMs` or, with `immediately`, at once. A failing run is handed to `onError` and
 * the next one comes anyway. Returns a stop that waits for a run in progress to end.
 * For the housekeeping of one instance: sweeps, pruning, resuming sagas.
 */
export function startPeriodic(
  task: () => Promise<unknown>,
  intervalMs: number,
  options: { onError: (error: unknown) => void; immediately?: boolean },
): () => Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    running = task()
      .catch(options.onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  if (options.immediately) tick();
  else timer = setTimeout(tick, intervalMs);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
