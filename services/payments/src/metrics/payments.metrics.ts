import { Counter, Histogram, type Registry } from "prom-client";

export type ProviderOperation = "authorize" | "capture" | "void" | "refund";

/** What became of a provider call: `succeeded`, or the failure's code. */
export type OperationOutcome =
  "succeeded" | "card_declined" | "insufficient_funds" | "provider_timeout" | "provider_error";

export interface PaymentsMetrics {
  /** One provider call and how it ended, with its duration. */
  operation(operation: ProviderOperation, outcome: OperationOutcome, seconds: number): void;
  /** An Idempotency-Key seen again: the first answer was returned, nothing was done. */
  replayed(endpoint: string): void;
}

/**
 * `payments_operations_total{operation,outcome}` (authorizations declined, refunds failing...),
 * `payments_provider_duration_seconds{operation}` (how long the provider takes: a slow provider
 * shows here before it times out) and `payments_idempotent_replays_total{endpoint}`.
 */
export function registerPaymentsMetrics(registry: Registry): PaymentsMetrics {
  const operations = new Counter({
    name: "payments_operations_total",
    help: "Provider operations (authorize, capture, void, refund) by outcome.",
    labelNames: ["operation", "outcome"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "payments_provider_duration_seconds",
    help: "Time the payment provider took to answer (or until the service gave up), by operation.",
    labelNames: ["operation"] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const replays = new Counter({
    name: "payments_idempotent_replays_total",
    help: "Requests answered from a stored answer because their Idempotency-Key was seen before.",
    labelNames: ["endpoint"] as const,
    registers: [registry],
  });
  return {
    operation(operation, outcome, seconds) {
      operations.inc({ operation, outcome });
      duration.observe({ operation }, seconds);
    },
    replayed(endpoint) {
      replays.inc({ endpoint });
    },
  };
}
