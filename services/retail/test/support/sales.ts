import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { Api, RetailWorld } from "./harness";

/** POST /api/retail/sales as `api`, with a new Idempotency-Key unless given (null: none). */
export function sell(api: Api, body: Record<string, unknown>, key: string | null = randomUUID()) {
  return api.post("/api/retail/sales", body, key === null ? {} : { "idempotency-key": key });
}

/** Counts of the retail tables that a failed sale must leave untouched. */
export async function saleCounts(world: RetailWorld) {
  const { rows } = await world.retail.db.query(
    `SELECT (SELECT count(*)::int FROM sales) AS sales,
            (SELECT count(*)::int FROM outbox WHERE type LIKE 'retail.sale.%') AS events`,
  );
  return rows[0] as { sales: number; events: number };
}

/** The store's journal entries (kind, documentNumber, amount), oldest first. */
export async function journalOf(world: RetailWorld, storeId: string) {
  const { rows } = await world.retail.db.query("SELECT * FROM journal_entries WHERE store_id = $1 ORDER BY seq", [
    storeId,
  ]);
  return rows as Record<string, unknown>[];
}

export function expectStatus(res: { status: number; body: unknown }, status: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
}
