import { createHash, randomBytes } from "node:crypto";
import {
  type AccessTokenClaims,
  ROLE_PERMISSIONS,
  SERVICE_ACCOUNTS,
  SERVICE_ROLE,
  type ServiceAccountName,
  type ServiceTokenResponse,
  TOKEN_ALGORITHM,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
} from "@comptoir/contracts";
import { newId, type Queryable } from "@comptoir/platform";
import { decodeJwt, SignJWT } from "jose";
import * as refreshRepo from "../db/refresh-tokens.repo";
import type { IdentitySettings } from "../model/settings";
import type { KeyStore } from "./signing-keys";
import type { User } from "../model/user";

export interface TokenDeps {
  keys: KeyStore;
  settings: IdentitySettings;
}

export interface TokenPair {
  token: string;
  refreshToken: string;
}

/**
 * The private claim naming the refresh-token family (the session) an access token was issued with,
 * so that "change my password" can keep the caller's own session. Not part of AccessTokenClaims:
 * other services ignore it.
 */
export const SESSION_CLAIM = "sid";
/** The private claim naming the service account of a service token (the platform's verifier reads it). */
export const SERVICE_CLAIM = "svc";

export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/** An opaque secret: 32 random bytes, base64url (43 characters). */
export function randomSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** A signed access token for the user: EdDSA, `kid` of the active key, claims per AccessTokenClaims. */
export async function signAccessToken(deps: TokenDeps, user: User, sessionId: string): Promise<string> {
  const key = await deps.keys.signingKey();
  const now = Math.floor(Date.now() / 1000);
  const claims: Pick<AccessTokenClaims, "role" | "permissions" | "storeId"> = {
    role: user.role,
    permissions: [...ROLE_PERMISSIONS[user.role]],
    storeId: user.storeId,
  };
  return new SignJWT({ ...claims, [SESSION_CLAIM]: sessionId })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: key.kid, typ: "JWT" })
    .setSubject(user.id)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + deps.settings.accessTokenTtlSeconds)
    .setJti(newId())
    .sign(key.privateKey);
}

/**
 * A signed token for a service account: like a user's access token (same key, issuer, audience),
 * with role `service`, the account's fixed id as `sub`, its permissions, no store, and `svc` naming
 * it. Lives `serviceTokenTtlSeconds`; there is no refresh token, the service asks again.
 */
export async function signServiceToken(deps: TokenDeps, service: ServiceAccountName): Promise<ServiceTokenResponse> {
  const key = await deps.keys.signingKey();
  const account = SERVICE_ACCOUNTS[service];
  const now = Math.floor(Date.now() / 1000);
  const expiresIn = deps.settings.serviceTokenTtlSeconds;
  const claims: Pick<AccessTokenClaims, "role" | "permissions" | "storeId"> = {
    role: SERVICE_ROLE,
    permissions: [...account.permissions],
    storeId: null,
  };
  const token = await new SignJWT({ ...claims, [SERVICE_CLAIM]: service })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: key.kid, typ: "JWT" })
    .setSubject(account.id)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + expiresIn)
    .setJti(newId())
    .sign(key.privateKey);
  return { token, expiresIn };
}

/** Adds a refresh token to a family (a new one for a new login) and returns the secret. */
export async function issueRefreshToken(
  deps: TokenDeps,
  tx: Queryable,
  userId: string,
  familyId: string,
): Promise<string> {
  const secret = randomSecret();
  await refreshRepo.insertRefreshToken(tx, {
    id: newId(),
    userId,
    familyId,
    tokenHash: sha256(secret),
    ttlDays: deps.settings.refreshTokenTtlDays,
  });
  return secret;
}

/** A new session: a refresh-token family and the first pair of tokens. Inside the caller's transaction. */
export async function startSession(deps: TokenDeps, tx: Queryable, user: User): Promise<TokenPair> {
  const familyId = newId();
  const refreshToken = await issueRefreshToken(deps, tx, user.id, familyId);
  return { token: await signAccessToken(deps, user, familyId), refreshToken };
}

/** The session id of an already verified access token, if it carries one. */
export function sessionOf(accessToken: string | undefined): string | undefined {
  if (!accessToken) return undefined;
  try {
    const sid = decodeJwt(accessToken)[SESSION_CLAIM];
    return typeof sid === "string" ? sid : undefined;
  } catch {
    return undefined;
  }
}
