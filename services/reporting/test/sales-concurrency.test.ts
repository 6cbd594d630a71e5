import type { RawEnvelope } from "@comptoir/contracts";
import { afterAll, beforeAll, expect, it } from "vitest";
import { envelope, type ReportingHarness, startReporting } from "./support/harness";
import { newItem, newStore, orderPaid, saleCompleted } from "./support/sales-events";

/**
 * Many events of every partition adding to the same rows at once (one day, two stores and online,
 * the same products): the bus handles each partition's events in batches, one transaction each, so
 * without the sales model's write lock they deadlock and some end in the dead letters.
 */
let h: ReportingHarness;

beforeAll(async () => {
  h = await startReporting("reporting_concurrency");
});
afterAll(async () => {
  await h?.close();
});

it("concurrent partitions adding to the same rows lose nothing, never deadlock, never dead-letter", async () => {
  const stores = [newStore("A", "Europe/Paris"), newStore("B", "Europe/Paris")];
  const items = Array.from({ length: 12 }, (_, i) => newItem(`Produit ${i}`, 100 + i));
  const envelopes: RawEnvelope[] = [];
  let revenue = 0;
  for (let i = 0; i < 1500; i++) {
    const picked = [...new Set([items[i % 12]!, items[(i * 7 + 3) % 12]!])];
    const lines = picked.map((item) => ({ item, quantity: 1 + (i % 3) }));
    if (i % 3 === 0) {
      const paid = orderPaid(lines);
      revenue += paid.totals.total;
      envelopes.push(envelope("orders.order.paid", paid, paid.orderId, { occurredAt: "2026-04-01T10:00:00.000Z" }));
    } else {
      const sale = saleCompleted(stores[i % 2]!, "2026-04-01T10:00:00.000Z", lines);
      revenue += sale.total;
      envelopes.push(envelope("retail.sale.completed", sale, sale.saleId));
    }
  }
  await Promise.all([0, 1, 2, 3].map((k) => h.appendAll(envelopes.filter((_, i) => i % 4 === k))));
  await h.settle();

  // PostgreSQL's count of deadlocks in the service's database (its statistics lag a little).
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const { rows } = await h.reporting.db.query<{ deadlocks: number }>(
    "SELECT deadlocks::int AS deadlocks FROM pg_stat_database WHERE datname = current_database()",
  );
  expect(rows[0]!.deadlocks).toBe(0);
  const letters = await h.reporting.bus.listDeadLetters({ limit: 5, offset: 0 });
  expect(letters.data.map((l) => l.error)).toEqual([]);
  const res = await h.reporting.admin.get("/api/reporting/sales?from=2026-04-01&to=2026-04-01&groupBy=channel");
  expect(res.status).toBe(200);
  expect(res.body.totals).toMatchObject({ revenue, transactions: 1500 });
}, 120_000);
