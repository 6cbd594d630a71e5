import type { PublishedEvent } from "@comptoir/events";
import type { Queryable } from "@comptoir/platform";
import { Counter, Gauge, type Registry } from "prom-client";
import { openPastClosingByStore } from "../db/sessions.repo";

/**
 * Retail's business metrics, by store code: `comptoir_pos_sales_total{store}`,
 * `comptoir_pos_returns_total{store}`, `comptoir_pos_voids_total{store}` and
 * `comptoir_revenue_minor_total{channel="store",currency}` (till sales' totals, in minor units),
 * counted from their events once each commits; and `comptoir_retail_sessions_open_past_closing{store}`
 * (registers still open after their store's closing time: the `flagged` sessions), read when
 * Prometheus scrapes.
 */
export function registerRetailMetrics(
  registry: Registry,
  deps: { db: Queryable; now: () => Date },
): (event: PublishedEvent) => void {
  const counter = (name: string, help: string) =>
    new Counter({ name, help, labelNames: ["store"] as const, registers: [registry] });
  const sales = counter("comptoir_pos_sales_total", "Till sales completed, by store code.");
  const returns = counter(
    "comptoir_pos_returns_total",
    "Till returns completed (with or without receipt), by store code.",
  );
  const voids = counter("comptoir_pos_voids_total", "Till sales voided, by store code.");
  const revenue = new Counter({
    name: "comptoir_revenue_minor_total",
    help: "Revenue of sales in minor units (cents), by channel (online, store) and currency.",
    labelNames: ["channel", "currency"] as const,
    registers: [registry],
  });
  new Gauge({
    name: "comptoir_retail_sessions_open_past_closing",
    help: "Register sessions still open after their store's closing time of the day they opened (flagged), by store code.",
    labelNames: ["store"] as const,
    registers: [registry],
    async collect() {
      const rows = await openPastClosingByStore(deps.db, deps.now());
      this.reset();
      for (const row of rows) this.set({ store: row.store }, row.count);
    },
  });
  return (event) => {
    switch (event.type) {
      case "retail.sale.completed":
        sales.inc({ store: event.data.store.code });
        revenue.inc({ channel: "store", currency: event.data.currency }, event.data.total);
        return;
      case "retail.sale.returned":
        returns.inc({ store: event.data.store.code });
        return;
      case "retail.sale.voided":
        voids.inc({ store: event.data.store.code });
        return;
    }
  };
}
