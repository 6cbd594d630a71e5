import type { Logger } from "@comptoir/platform";
import type { CircuitBreakerConfig } from "../gateway.config";

export type CircuitState = "closed" | "open" | "half-open";

/**
 * A per-upstream circuit breaker, small and explicit (cockatiel's policy wraps a function call;
 * here the proxy needs to ask "may I?" before picking an instance and to report the outcome after
 * the response headers, with the time left for `Retry-After`).
 *
 * - closed: every request goes; `consecutiveFailures` failures in a row (no answer, a timeout, or a
 *   502/503/504 from the upstream) open it.
 * - open: requests are refused at once (503 + Retry-After) for `halfOpenAfterMs`.
 * - half-open: one probe request goes through, the others are still refused; its success closes
 *   the circuit, its failure opens it again for another `halfOpenAfterMs`.
 *
 * An instance passing its health check while the circuit is open is evidence that the upstream is
 * back (its database returned after a restart, say): the circuit goes half-open at once instead of
 * refusing for the rest of `halfOpenAfterMs` (`healthCheckPassed`).
 */
export class CircuitBreaker {
  state: CircuitState = "closed";
  private failures = 0;
  private openedAt = 0;
  private probing = false;

  constructor(
    private readonly name: string,
    private readonly config: CircuitBreakerConfig,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Whether a request may go now. When it may not, the milliseconds until a probe may: the caller
   * answers 503 with that as Retry-After. A request that was allowed must be followed by `success`
   * or `failure` (or `release` when it ended without saying anything about the upstream).
   */
  tryAcquire(): number {
    if (this.state === "closed") return 0;
    if (this.state === "open") {
      const left = this.openedAt + this.config.halfOpenAfterMs - this.now();
      if (left > 0) return left;
      this.transition("half-open");
    }
    // Half-open: a single probe at a time.
    if (this.probing) return Math.max(1, this.config.halfOpenAfterMs);
    this.probing = true;
    return 0;
  }

  success(): void {
    this.failures = 0;
    if (this.state !== "closed") {
      this.probing = false;
      this.transition("closed");
    }
  }

  failure(): void {
    if (this.state === "half-open") {
      this.probing = false;
      this.open();
      return;
    }
    this.failures += 1;
    if (this.state === "closed" && this.failures >= this.config.consecutiveFailures) this.open();
  }

  /** An instance of the upstream answered its readiness check: let a probe through now. */
  healthCheckPassed(): void {
    if (this.state === "open") this.transition("half-open");
  }

  /** The request ended without an answer that says anything about the upstream (e.g. the client left). */
  release(): void {
    if (this.state === "half-open") this.probing = false;
  }

  private open(): void {
    this.openedAt = this.now();
    this.failures = 0;
    this.transition("open");
  }

  private transition(state: CircuitState): void {
    const previous = this.state;
    if (previous === state) return;
    this.state = state;
    const fields = { upstream: this.name, previous, state };
    if (state === "open") this.logger.warn(fields, `upstream ${this.name}: circuit open`);
    else this.logger.info(fields, `upstream ${this.name}: circuit ${state}`);
  }
}
