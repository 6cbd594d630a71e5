import { afterCommit, type Queryable } from "@comptoir/platform";
import { Counter, type Registry } from "prom-client";
import { eventKindOf, type Location } from "../model/location";

// Counted where the ledger detects them (domain/ledger.ts), which knows no app: one set per process,
// registered in the app's registry by buildApp (a process runs one inventory).
const stockOuts = new Counter({
  name: "comptoir_inventory_stockouts_total",
  help: "Stock levels whose available quantity fell to zero (from above), by location kind (warehouse, store, online).",
  labelNames: ["location_kind"] as const,
  registers: [],
});
const lowStockAlerts = new Counter({
  name: "comptoir_inventory_low_stock_alerts_total",
  help: "Low-stock alerts raised (available at or under the level's threshold), by location kind.",
  labelNames: ["location_kind"] as const,
  registers: [],
});

/**
 * `comptoir_inventory_stockouts_total{location_kind}` and
 * `comptoir_inventory_low_stock_alerts_total{location_kind}` in the app's registry.
 */
export function registerInventoryMetrics(registry: Registry): void {
  registry.registerMetric(stockOuts);
  registry.registerMetric(lowStockAlerts);
}

/**
 * A level changed in `tx` from `availableBefore` to `availableAfter`: a stock-out when it went from
 * some to none, counted once the change commits (a rolled-back attempt, e.g. a reservation short on
 * another line, counts nothing).
 */
export function noteAvailable(
  tx: Queryable,
  location: Location,
  availableBefore: number,
  availableAfter: number,
): void {
  if (availableBefore > 0 && availableAfter <= 0) {
    afterCommit(tx, () => stockOuts.inc({ location_kind: eventKindOf(location.kind) }));
  }
}

/** A low-stock alert raised in `tx`, counted once it commits. */
export function noteAlertRaised(tx: Queryable, location: Location): void {
  afterCommit(tx, () => lowStockAlerts.inc({ location_kind: eventKindOf(location.kind) }));
}
