import type { PublishedEvent } from "@comptoir/events";
import { Counter, Histogram, type Registry } from "prom-client";

export interface OrdersMetrics {
  /** An order event committed (from the outbox: once per change, never for a rolled-back attempt). */
  observe(event: PublishedEvent): void;
  /** A checkout ended (its saga's end committed): how long it took from its start, and why it failed. */
  checkoutEnded(outcome: "completed" | "failed", seconds: number, reason?: string): void;
}

/** A failure code as a label: the saga's codes are a short list; anything else is `other` (bounded cardinality). */
export const reasonLabel = (code: string | undefined) => (code && /^[a-z][a-z0-9_]{0,39}$/.test(code) ? code : "other");

/**
 * Orders' business metrics: `comptoir_orders_placed_total{channel,fulfilment}`,
 * `comptoir_orders_paid_total{channel,fulfilment}`, `comptoir_orders_failed_total{reason}` (checkouts
 * that failed, by the failure's code: insufficient_stock, card_declined, no_answer...),
 * `comptoir_revenue_minor_total{channel,currency}` (paid orders' totals, in minor units) and
 * `comptoir_checkout_duration_seconds{outcome}`. Counted once the change commits.
 */
export function registerOrdersMetrics(registry: Registry): OrdersMetrics {
  const placed = new Counter({
    name: "comptoir_orders_placed_total",
    help: "Orders placed by a checkout (stock reserved, card authorized), by channel and fulfilment (delivery, pickup).",
    labelNames: ["channel", "fulfilment"] as const,
    registers: [registry],
  });
  const paid = new Counter({
    name: "comptoir_orders_paid_total",
    help: "Orders paid (payment captured, stock committed), by channel and fulfilment.",
    labelNames: ["channel", "fulfilment"] as const,
    registers: [registry],
  });
  const failed = new Counter({
    name: "comptoir_orders_failed_total",
    help: "Checkouts that failed, by the failure's code (insufficient_stock, card_declined, no_answer, ...).",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const revenue = new Counter({
    name: "comptoir_revenue_minor_total",
    help: "Revenue of sales in minor units (cents), by channel (online, store) and currency.",
    labelNames: ["channel", "currency"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "comptoir_checkout_duration_seconds",
    help: "Time from a checkout's start to its saga's end, by outcome (completed, failed).",
    labelNames: ["outcome"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  return {
    observe(event) {
      if (event.type !== "orders.order.placed" && event.type !== "orders.order.paid") return;
      const { channel, shippingAddress, totals } = event.data;
      const labels = { channel, fulfilment: shippingAddress ? "delivery" : "pickup" };
      if (event.type === "orders.order.placed") {
        placed.inc(labels);
      } else {
        paid.inc(labels);
        revenue.inc({ channel, currency: totals.currency }, totals.total);
      }
    },
    checkoutEnded(outcome, seconds, reason) {
      duration.observe({ outcome }, Math.max(0, seconds));
      if (outcome === "failed") failed.inc({ reason: reasonLabel(reason) });
    },
  };
}
