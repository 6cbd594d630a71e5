import { REVOCATIONS_PATH, type RevocationsPage } from "@comptoir/contracts";
import { request } from "undici";
import { UnauthorizedError } from "../errors/app-error";
import type { Logger } from "../logging/logger";
import type { Principal, TokenVerifier } from "./principal";
import { internalAgent } from "../client/agent";

/**
 * Access tokens are verified locally and live up to 15 minutes; what identity revokes before then
 * (a deactivated account, a changed role or store, a logout, a changed password) is learned from
 * its revocation list: every process holding a verifier asks identity for what was added since its
 * last look, every 2 seconds, and refuses the tokens it names from then on. Identity keeps an entry
 * only as long as a token it revokes could still be valid, so the list stays small.
 *
 * A user entry revokes that user's tokens issued before its `before` (seconds, rounded up: a token
 * of the same second is revoked too, and its owner signs in or refreshes once more); a session entry
 * revokes every token of that session (`sid`). While identity cannot be reached, what was learned
 * stays in force and the next look catches up; a warning is logged only once that has lasted 30 s
 * (at a start, services are often ready before identity).
 */
export interface Revocations {
  /** True when a token of this principal was revoked. */
  revoked(principal: Pick<Principal, "userId" | "sessionId" | "issuedAt">): boolean;
  /** Asks identity once for what is new (also what the background loop does). */
  refresh(): Promise<void>;
  /** Looks every `intervalMs` until stopped; the first look is immediate. */
  start(): void;
  stop(): Promise<void>;
}

export interface RevocationsOptions {
  /** One page of entries after `after` (0: from the start), as identity's REVOCATIONS_PATH answers. */
  fetchPage(after: number): Promise<RevocationsPage>;
  intervalMs?: number;
  logger?: Logger;
  now?: () => number;
}

export function createRevocations(options: RevocationsOptions): Revocations {
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 2_000;
  /** userId → tokens issued before this (epoch s) are revoked, and when the entry can go (epoch ms). */
  const users = new Map<string, { before: number; until: number }>();
  const sessions = new Map<string, number>();
  let cursor = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let failingSince: number | undefined;
  let lastWarning = 0;

  function prune(): void {
    const t = now();
    for (const [id, entry] of users) if (entry.until <= t) users.delete(id);
    for (const [id, until] of sessions) if (until <= t) sessions.delete(id);
  }

  async function refresh(): Promise<void> {
    // At most a few pages per look: a newcomer catches up with a whole list of the last 15 minutes.
    for (let pages = 0; pages < 20; pages++) {
      const page = await options.fetchPage(cursor);
      for (const entry of page.data) {
        const until = Date.parse(entry.expiresAt);
        if (entry.sessionId !== null) {
          sessions.set(entry.sessionId, Math.max(sessions.get(entry.sessionId) ?? 0, until));
        } else {
          const before = Math.ceil(Date.parse(entry.revokedAt) / 1000);
          const known = users.get(entry.userId);
          users.set(entry.userId, {
            before: Math.max(known?.before ?? 0, before),
            until: Math.max(known?.until ?? 0, until),
          });
        }
      }
      cursor = Math.max(cursor, page.cursor);
      if (!page.more) break;
    }
    prune();
  }

  const loop = () => {
    running = refresh()
      .then(() => {
        failingSince = undefined;
      })
      .catch((error: unknown) => {
        const t = now();
        failingSince ??= t;
        if (t - failingSince < 30_000 || t - lastWarning < 30_000) return;
        lastWarning = t;
        options.logger?.warn(
          { err: error },
          "identity's revocation list could not be read; what was learned stays in force, trying again",
        );
      })
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(loop, intervalMs);
      });
  };

  return {
    revoked(principal) {
      if (principal.sessionId && sessions.has(principal.sessionId)) return true;
      const user = users.get(principal.userId);
      return user !== undefined && principal.issuedAt < user.before;
    },
    refresh,
    start() {
      if (timer || running) return;
      stopped = false;
      loop();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

/** The revocation list read over HTTP from identity (`identityUrl`: its base URL). */
export function identityRevocationsFetcher(
  identityUrl: string,
  timeoutMs = 2_000,
): (after: number) => Promise<RevocationsPage> {
  const base = new URL(REVOCATIONS_PATH, identityUrl);
  return async (after) => {
    const url = new URL(base);
    url.searchParams.set("after", String(after));
    const res = await request(url, {
      method: "GET",
      signal: AbortSignal.timeout(timeoutMs),
      dispatcher: internalAgent,
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`identity answered ${res.statusCode} at ${REVOCATIONS_PATH}`);
    }
    return (await res.body.json()) as RevocationsPage;
  };
}

/** `inner`, refusing (401 `token_revoked`) the tokens `revocations` names, cached or not. */
export function revocationCheckingVerifier(inner: TokenVerifier, revocations: Revocations): TokenVerifier {
  return {
    async verify(token) {
      const principal = await inner.verify(token);
      if (revocations.revoked(principal)) {
        throw new UnauthorizedError("The access token was revoked; sign in again.", "token_revoked");
      }
      return principal;
    },
  };
}
