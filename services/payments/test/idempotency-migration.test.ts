import { randomUUID } from "node:crypto";
import { IDEMPOTENCY_TABLES_MIGRATIONS, migrationsDirOf } from "@comptoir/platform";
import { applyMigrations, migrate, readMigrations } from "@comptoir/platform/db";
import { createTestDatabase } from "@comptoir/testing";
import { describe, expect, it } from "vitest";

describe("migration 003 (idempotency keys to the platform's module)", () => {
  it("converts the keys kept before: endpoints become operations, answers kept as they were", async () => {
    const dir = migrationsDirOf(import.meta.url);
    const database = await createTestDatabase("payments_migration_003");
    try {
      const db = database.db;
      await applyMigrations(
        db,
        (await readMigrations(dir)).filter((m) => m.version <= "002"),
      );
      const actor = randomUUID();
      const declined = { status: 402, code: "card_declined", paymentId: randomUUID() };
      const refund = { id: randomUUID(), amount: 100 };
      await db.query(
        `INSERT INTO idempotency_keys (endpoint, actor_id, key, request_hash, status_code, response) VALUES
           ('POST /api/payments/payments', $1, 'k-1', 'old-hash', 402, $2),
           ('POST /api/payments/payments/:id/refunds', $1, 'k-1', 'old-hash', 201, $3)`,
        [actor, JSON.stringify(declined), JSON.stringify(refund)],
      );

      await migrate(db, dir);
      await applyMigrations(db, IDEMPOTENCY_TABLES_MIGRATIONS, { table: "platform_migrations" });
      const { rows } = await db.query(
        "SELECT actor, operation, key, fingerprint, status_code, response FROM idempotency_keys ORDER BY operation",
      );
      expect(rows).toEqual([
        { actor, operation: "payments.authorize", key: "k-1", fingerprint: null, status_code: 402, response: declined },
        { actor, operation: "payments.refund", key: "k-1", fingerprint: null, status_code: 201, response: refund },
      ]);
    } finally {
      await database.drop();
    }
  });
});
