import type { Queryable } from "@comptoir/platform";

/** Serialises demo seeding until the transaction ends: instances starting together take turns. */
export async function lockDemoSeed(db: Queryable): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext('identity.demo_seed'))");
}
