/**
 * An AbortSignal that fires after `ms` unless cleared first, and says whether the time ran out (as
 * opposed to another reason to abort). Unlike AbortSignal.timeout, clearing it once the work is
 * done leaves no timer behind to fire later, build an error and dispatch an abort nobody hears.
 */
export interface Deadline {
  readonly signal: AbortSignal;
  /** True once the time ran out. */
  readonly expired: boolean;
  /** Aborts now, for another reason (the client left). */
  abort(): void;
  /** Stops the timer; call it once the work is over. */
  clear(): void;
}

export function startDeadline(ms: number): Deadline {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort();
  }, ms);
  return {
    signal: controller.signal,
    get expired() {
      return expired;
    },
    abort: () => controller.abort(),
    clear: () => clearTimeout(timer),
  };
}
