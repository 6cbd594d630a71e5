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
}
