import { Gauge, type Registry } from "prom-client";
import type { Db } from "@comptoir/platform/db";
import { unfinishedSagas } from "./sagas.repo";

/**
 * `comptoir_sagas_unfinished{kind,status}` and `comptoir_sagas_oldest_unfinished_seconds{kind,status}`,
 * computed when Prometheus scrapes: a saga stuck compensating (a dependency refusing or gone) shows
 * here long before anyone asks why a request or an order stays half done. The service label comes
 * from the registry's default labels.
 */
export function registerSagaMetrics(registry: Registry, db: Db): void {
  // Both gauges are collected concurrently in one scrape: they share one query.
  let pending: ReturnType<typeof unfinishedSagas> | undefined;
  const rows = () =>
    (pending ??= unfinishedSagas(db).finally(() => {
      pending = undefined;
    }));
  new Gauge({
    name: "comptoir_sagas_unfinished",
    help: "Sagas running or compensating, by kind and status.",
    labelNames: ["kind", "status"] as const,
    registers: [registry],
    async collect() {
      const found = await rows();
      this.reset();
      for (const row of found) this.set({ kind: row.kind, status: row.status }, row.count);
    },
  });
  new Gauge({
    name: "comptoir_sagas_oldest_unfinished_seconds",
    help: "Age of the oldest saga running or compensating, by kind and status.",
    labelNames: ["kind", "status"] as const,
    registers: [registry],
    async collect() {
      const found = await rows();
      this.reset();
      for (const row of found) this.set({ kind: row.kind, status: row.status }, row.oldestSeconds);
    },
  });
}
