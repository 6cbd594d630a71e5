import { AppError, type Db, type Queryable, withTx } from "@comptoir/platform";
import * as failures from "../db/login-failures.repo";
import type { LoginThrottleSettings } from "../model/settings";

export type AttemptKey = failures.AttemptKey;

/**
 * Reserves one password attempt before the password is checked, or throws 429 too_many_attempts
 * with Retry-After when the account (or the address, when given) already has its maximum of failures
 * within the window. Reservations of one account and of one address are taken one at a time, so that
 * parallel attempts cannot all pass the count: of 40 parallel guesses at most the limit are checked.
 * The reservation is the failure: it stays when the password is wrong; a right password forgives.
 */
export async function reserveAttempt(db: Db, throttle: LoginThrottleSettings, key: AttemptKey): Promise<void> {
  const wait = await withTx(db, async (tx) => {
    await failures.lockAttempts(tx, key);
    return failures.reserveAttempt(tx, key, throttle);
  });
  if (wait > 0) {
    throw new AppError("too_many_attempts", 429, "Too many requests", {
      detail: `Too many failed password attempts; try again in ${wait} seconds.`,
      headers: { "retry-after": String(wait) },
    });
  }
}

/** A wrong password: its reservation stays as a failure; older failures are dropped. */
export async function attemptFailed(db: Db, throttle: LoginThrottleSettings): Promise<void> {
  await failures.pruneFailures(db, throttle.windowSeconds);
}

/** A right password clears the account's failures, this attempt's reservation included. */
export async function forgiveAccount(db: Queryable, email: string): Promise<void> {
  await failures.clearAccountFailures(db, email);
}
