import type { RevocationsPage } from "@comptoir/contracts";
import type { Db, Queryable } from "@comptoir/platform";
import * as revocations from "../db/revocations.repo";
import type { IdentitySettings } from "../model/settings";

/**
 * How long an entry is kept: as long as the longest-lived access token it may revoke, plus the
 * clock skew a verifier accepts (5 s) and a margin.
 */
const lifetimeOf = (settings: Pick<IdentitySettings, "accessTokenTtlSeconds">) => settings.accessTokenTtlSeconds + 60;

/**
 * Every access token of the user issued until now stops working everywhere within seconds (a
 * deactivation, a new role or store: the next token, after a refresh, carries the new claims).
 */
export function revokeUserAccess(tx: Queryable, settings: IdentitySettings, userId: string): Promise<void> {
  return revocations.revokeUserAccess(tx, userId, lifetimeOf(settings));
}

/** Every access token of these sessions (refresh-token families) stops working within seconds. */
export function revokeSessionsAccess(
  tx: Queryable,
  settings: IdentitySettings,
  userId: string,
  sessionIds: readonly string[],
): Promise<void> {
  return revocations.revokeSessionsAccess(tx, userId, sessionIds, lifetimeOf(settings));
}

const PAGE = 1_000;

/** What was revoked after the cursor `after` (REVOCATIONS_PATH): read by every token verifier. */
export async function listRevocations(deps: { db: Db }, after: number): Promise<RevocationsPage> {
  const data = await revocations.revocationsAfter(deps.db, after, PAGE + 1);
  const more = data.length > PAGE;
  if (more) data.pop();
  return { data, cursor: data.at(-1)?.id ?? after, more };
}
