import type { Db } from "@comptoir/platform";
import { Counter, Gauge, type Registry } from "prom-client";
import { queueFigures } from "../db/messages.repo";

export type DeliveryOutcome = "sent" | "stored" | "retried" | "dead";

export interface DeliveryMetrics {
  outcome(template: string, outcome: DeliveryOutcome): void;
}

/**
 * `notifications_messages_total{template,outcome}`: mails sent by SMTP, stored in the embedded
 * mailbox, attempts that failed and will be retried, and mails given up (dead);
 * `notifications_queue_depth{state}` (queued messages, `due` or `held` for later) and
 * `notifications_dead_messages` (dead, not requeued), computed when Prometheus scrapes.
 */
export function registerDeliveryMetrics(registry: Registry, db: Db): DeliveryMetrics {
  const messages = new Counter({
    name: "notifications_messages_total",
    help: "Messages by template and delivery outcome (sent, stored, retried, dead).",
    labelNames: ["template", "outcome"] as const,
    registers: [registry],
  });
  // Both gauges are collected concurrently in one scrape: they share one query.
  let pending: ReturnType<typeof queueFigures> | undefined;
  const figures = () =>
    (pending ??= queueFigures(db).finally(() => {
      pending = undefined;
    }));
  new Gauge({
    name: "notifications_queue_depth",
    help: "Messages waiting to be delivered: due now, or held until later (a retry, a provisional mail).",
    labelNames: ["state"] as const,
    registers: [registry],
    async collect() {
      const f = await figures();
      this.set({ state: "due" }, f.due);
      this.set({ state: "held" }, f.queued - f.due);
    },
  });
  new Gauge({
    name: "notifications_dead_messages",
    help: "Messages that failed every attempt and were not requeued.",
    registers: [registry],
    async collect() {
      this.set((await figures()).dead);
    },
  });
  return { outcome: (template, outcome) => messages.inc({ template, outcome }) };
}
