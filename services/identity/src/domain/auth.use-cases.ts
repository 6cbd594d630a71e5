import type { Outbox } from "@comptoir/events";
import {
  ConflictError,
  type Db,
  newId,
  PgCode,
  pgConstraint,
  pgErrorCode,
  UnauthorizedError,
  withTx,
} from "@comptoir/platform";
import * as refreshRepo from "../db/refresh-tokens.repo";
import * as users from "../db/users.repo";
import * as attempts from "./password-attempts";
import { assertPasswordPolicy } from "../model/password";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "./passwords";
import type { IdentitySettings } from "../model/settings";
import type { KeyStore } from "./signing-keys";
import * as tokens from "./tokens";
import { type Language, normalizeEmail, snapshotOf, type User, withoutSecret } from "../model/user";
import { revokeSessionsAccess } from "./revocations.use-cases";

export interface AuthDeps {
  db: Db;
  outbox: Outbox;
  keys: KeyStore;
  settings: IdentitySettings;
}

export interface Session extends tokens.TokenPair {
  user: User;
}

export const emailTaken = () =>
  new ConflictError("email_taken", "An account already uses this e-mail address.", {
    errors: [{ in: "body", field: "email", message: "is already used by another account" }],
  });

/** Translates the unique e-mail index into 409 email_taken. */
export function translateUserWriteError(error: unknown): unknown {
  if (pgErrorCode(error) === PgCode.uniqueViolation && pgConstraint(error) === "users_email_key") return emailTaken();
  return error;
}

const invalidCredentials = () =>
  new UnauthorizedError("The e-mail address or the password is incorrect.", "invalid_credentials");
const invalidRefreshToken = (detail = "The refresh token is invalid, expired or revoked; log in again.") =>
  new UnauthorizedError(detail, "invalid_refresh_token");

export interface RegisterInput {
  name: string;
  email: string;
  password: string;
  language?: Language;
}

/** A customer signs up: the account, its first session and identity.user.registered, together. */
export async function register(deps: AuthDeps, input: RegisterInput): Promise<Session> {
  const email = normalizeEmail(input.email);
  assertPasswordPolicy(input.password, email);
  const passwordHash = await hashPassword(input.password);
  try {
    return await withTx(deps.db, async (tx) => {
      const user = withoutSecret(
        await users.insertUser(tx, {
          id: newId(),
          email,
          name: input.name.trim(),
          passwordHash,
          role: "customer",
          storeId: null,
          language: input.language ?? "fr",
        }),
      );
      await deps.outbox.publish(tx, { type: "identity.user.registered", subject: user.id, data: snapshotOf(user) });
      return { ...(await tokens.startSession(deps, tx, user)), user };
    });
  } catch (error) {
    throw translateUserWriteError(error);
  }
}

export interface LoginInput {
  email: string;
  password: string;
  /** The client's address (the gateway's x-comptoir-client-ip when it proves it sent it, else the socket's). */
  ip: string;
}

/**
 * Checks the credentials. Unknown e-mail, wrong password and inactive account all answer the same
 * 401 after the same argon2 work. Each attempt is reserved before any password is checked: over the
 * limit of failures for the account or the address, 429 (the right password too); a success clears
 * the account's failures.
 */
export async function login(deps: AuthDeps, input: LoginInput): Promise<Session> {
  const email = normalizeEmail(input.email);
  const throttle = deps.settings.loginThrottle;
  await attempts.reserveAttempt(deps.db, throttle, { email, ip: input.ip });

  const found = await users.findUserByEmail(deps.db, email);
  const valid = found
    ? await verifyPassword(found.passwordHash, input.password)
    : await verifyAgainstDummy(input.password);
  if (!found || !valid || !found.active) {
    await attempts.attemptFailed(deps.db, throttle);
    throw invalidCredentials();
  }
  const user = withoutSecret(found);
  return withTx(deps.db, async (tx) => {
    await attempts.forgiveAccount(tx, email);
    return { ...(await tokens.startSession(deps, tx, user)), user };
  });
}

/**
 * Spends a refresh token for a new pair in the same family. A token already spent (or revoked) is a
 * sign of theft: the whole family is revoked, the legitimate holder included. Of two concurrent
 * spends of one token, one wins and the other counts as reuse.
 */
export async function refresh(deps: AuthDeps, refreshToken: string): Promise<tokens.TokenPair> {
  const hash = tokens.sha256(refreshToken);
  const outcome = await withTx(deps.db, async (tx) => {
    const spent = await refreshRepo.spendRefreshToken(tx, hash);
    if (!spent) {
      const known = await refreshRepo.findRefreshToken(tx, hash);
      if (!known) return { error: "unknown" as const };
      if (known.used_at || known.revoked_at) {
        await refreshRepo.revokeFamily(tx, known.family_id);
        // A stolen refresh token: the session's access tokens are no better.
        await revokeSessionsAccess(tx, deps.settings, known.user_id, [known.family_id]);
        return { error: "reused" as const };
      }
      return { error: "expired" as const };
    }
    const found = await users.findUser(tx, spent.user_id);
    if (!found || !found.active) {
      await refreshRepo.revokeFamily(tx, spent.family_id);
      return { error: "inactive" as const };
    }
    const user = withoutSecret(found);
    const next = await tokens.issueRefreshToken(deps, tx, user.id, spent.family_id);
    return { pair: { token: await tokens.signAccessToken(deps, user, spent.family_id), refreshToken: next } };
  });
  // Thrown after the commit, so that a reuse's revocation is kept.
  if ("error" in outcome) {
    throw outcome.error === "expired"
      ? invalidRefreshToken("The refresh token has expired; log in again.")
      : invalidRefreshToken();
  }
  return outcome.pair;
}

/**
 * Ends the session the refresh token belongs to: its refresh tokens, and its access tokens within
 * seconds everywhere (the revocation list). Unknown or already revoked tokens are fine.
 */
export async function logout(deps: AuthDeps, refreshToken: string): Promise<void> {
  const known = await refreshRepo.findRefreshToken(deps.db, tokens.sha256(refreshToken));
  if (!known) return;
  await withTx(deps.db, async (tx) => {
    await refreshRepo.revokeFamily(tx, known.family_id);
    await revokeSessionsAccess(tx, deps.settings, known.user_id, [known.family_id]);
  });
}
