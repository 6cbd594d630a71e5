// Apart from upstream.ts, so that the balancers can name an instance without importing the upstream
// that builds them.

/** `unknown` until the first check says otherwise; `unknown` and `up` instances receive requests. */
export type InstanceStatus = "unknown" | "up" | "down";

export interface Instance {
  /** Origin, e.g. `http://127.0.0.1:41235`; also its metrics label. */
  readonly url: string;
  status: InstanceStatus;
  /** When it entered its current status. */
  since: Date;
  /** Of the last active check; null before the first. */
  latencyMs: number | null;
  /** Why it is (or was last seen) failing; cleared by a successful check. */
  error: string | undefined;
  /** Consecutive active-check outcomes, for the thresholds. */
  successes: number;
  failures: number;
  /** Proxied requests whose response has not finished (for a least-connections balancer). */
  inFlight: number;
  /**
   * Aborted when the instance is found down and unreachable (its checks failing, the last one unable
   * to even open a connection): the requests waiting on it then stop waiting — a host cut off the
   * network answers nothing, and without this they would wait out their route's whole timeout. A new
   * one when it is back.
   */
  gone: AbortController;
  /** The probe under way (a request waiting on the instance asked whether its host is still there). */
  checking?: Promise<void>;
  /** When a probe last found its host there: waiting requests do not probe it again for a while. */
  reachableAt: number;
}
