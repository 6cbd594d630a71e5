import { type Outbox, observedOutbox } from "@comptoir/events";
import { Counter, type Registry } from "prom-client";

/**
 * Supply's business metrics: `comptoir_replenishment_decisions_total{decision}` (requests approved or
 * rejected by a manager) and `comptoir_replenishment_outcomes_total{outcome}` (approved requests whose
 * transfer completed, or failed), counted from their events once each commits: the outbox returned is
 * the one supply publishes through.
 */
export function registerSupplyMetrics(registry: Registry, outbox: Outbox): Outbox {
  const decisions = new Counter({
    name: "comptoir_replenishment_decisions_total",
    help: "Replenishment requests decided, by decision (approved, rejected).",
    labelNames: ["decision"] as const,
    registers: [registry],
  });
  const outcomes = new Counter({
    name: "comptoir_replenishment_outcomes_total",
    help: "Approved replenishment requests carried out, by outcome (completed: stock transferred; failed).",
    labelNames: ["outcome"] as const,
    registers: [registry],
  });
  return observedOutbox(outbox, (event) => {
    switch (event.type) {
      case "supply.request.approved":
        return decisions.inc({ decision: "approved" });
      case "supply.request.rejected":
        return decisions.inc({ decision: "rejected" });
      case "supply.request.completed":
        return outcomes.inc({ outcome: "completed" });
      case "supply.request.failed":
        return outcomes.inc({ outcome: "failed" });
    }
  });
}
