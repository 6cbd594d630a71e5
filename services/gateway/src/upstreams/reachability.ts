import type { Probe } from "@comptoir/platform";
import { type Instance, markUnreachable, type Upstream } from "./upstream";

/** A request that has waited this long on an instance has its instance probed. */
export const PROBE_AFTER_MS = 1_000;

/**
 * Asks, for a request that has waited PROBE_AFTER_MS on `instance`, whether the instance's host is
 * still there: a new connection (the probe) opens at once on a host that is there, however busy
 * its process. If none opens, the host is cut off: the instance is down and every request waiting on
 * it stops waiting now (a read moves to another instance, a write is answered 502), a second after
 * the cut rather than after the health checks' two failures. One probe at a time per instance, and
 * none for a while after one found the host there (a slow instance is not probed by every request).
 */
export function checkReachable(probe: Probe, upstream: Upstream, instance: Instance): void {
  if (instance.checking || instance.gone.signal.aborted || Date.now() - instance.reachableAt < PROBE_AFTER_MS) return;
  instance.checking = probe(instance.url)
    .then((result) => {
      if (result === "unreachable") markUnreachable(upstream, instance, "no new connection opens: its host is cut off");
      else instance.reachableAt = Date.now();
    })
    .catch(() => {})
    .finally(() => {
      instance.checking = undefined;
    });
}
