import type { Queryable } from "@comptoir/platform";
import * as version from "../db/version.repo";

/**
 * The read model's version (migration 022): a new token in every transaction that applies events to
 * it, read by the reports' answer cache (routes/answer-cache.ts) before computing an answer.
 */

/** The model changes in this transaction: a new version when it commits. */
export const markChanged = (tx: Queryable): Promise<void> => version.bumpVersion(tx);

/** The model's current version token. */
export const currentVersion = (db: Queryable): Promise<string> => version.currentVersion(db);
