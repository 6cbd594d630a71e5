import type { Queryable } from "@comptoir/platform";
import { SALES_MODEL_LOCK } from "./rollups.repo";

/**
 * Gives the read model a new version token (in the caller's transaction: visible when it commits). An
 * upsert: a rebuild's copy of the table starts empty. It takes the sales model's write lock first, as
 * every writer of the model does before its rows (rollups.lockSalesModel): whoever holds this row holds
 * that lock, so two batches never wait for each other's.
 */
export async function bumpVersion(db: Queryable): Promise<void> {
  await db.query({
    name: "reporting-bump-version",
    text: `WITH locked AS (SELECT pg_advisory_xact_lock(hashtextextended($1, 0)))
           INSERT INTO reporting_version (singleton, token) SELECT true, gen_random_uuid() FROM locked
           ON CONFLICT (singleton) DO UPDATE SET token = EXCLUDED.token`,
    values: [SALES_MODEL_LOCK],
  });
}

/** The read model's current version token. */
export async function currentVersion(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ token: string }>({
    name: "reporting-current-version",
    text: "SELECT token FROM reporting_version",
  });
  return rows[0]?.token ?? "none";
}
