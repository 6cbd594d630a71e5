import { randomUUID } from "node:crypto";
import { IDEMPOTENCY_TABLES_MIGRATIONS, migrationsDirOf } from "@comptoir/platform";
import { applyMigrations, migrate, readMigrations } from "@comptoir/platform/db";
import { createTestDatabase } from "@comptoir/testing";
import { describe, expect, it } from "vitest";

describe("migration 003 (idempotency keys to the platform's module)", () => {
  it("converts the keys kept before: scoped by operation, answered 201 on the key alone", async () => {
    const dir = migrationsDirOf(import.meta.url);
    const database = await createTestDatabase("inventory_migration_003");
    try {
      const db = database.db;
      await applyMigrations(
        db,
        (await readMigrations(dir)).filter((m) => m.version <= "002"),
      );
      const actor = randomUUID();
      const response = { movement: { id: randomUUID() }, newStockQuantity: 8 };
      await db.query(
        `INSERT INTO idempotency_keys (actor_id, key, operation, request_hash, response)
         VALUES ($1, 'k-1', 'stock.adjust', 'old-hash', $2), ($1, 'k-2', 'stock.adjust', 'old-hash', NULL)`,
        [actor, JSON.stringify(response)],
      );

      await migrate(db, dir);
      await applyMigrations(db, IDEMPOTENCY_TABLES_MIGRATIONS, { table: "platform_migrations" });
      const { rows } = await db.query(
        "SELECT actor, operation, key, fingerprint, status_code, response FROM idempotency_keys",
      );
      // A key without an answer could never have been committed: it goes.
      expect(rows).toEqual([
        { actor, operation: "inventory.stock.adjust", key: "k-1", fingerprint: null, status_code: 201, response },
      ]);
      const pk = await db.query(
        `SELECT array_agg(a.attname::text ORDER BY k.ord) AS columns
           FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
          WHERE i.indrelid = 'idempotency_keys'::regclass AND i.indisprimary`,
      );
      expect(pk.rows[0].columns).toEqual(["actor", "operation", "key"]);
    } finally {
      await database.drop();
    }
  });
});
