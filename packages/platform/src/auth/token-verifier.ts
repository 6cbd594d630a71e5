import {
  type AccessTokenClaims,
  PERMISSIONS,
  type Permission,
  type PrincipalRole,
  ROLES,
  SERVICE_ACCOUNTS,
  SERVICE_ROLE,
  type ServiceAccountName,
  TOKEN_ALGORITHM,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
} from "@comptoir/contracts";
import { createRemoteJWKSet, errors as joseErrors, type JWTVerifyGetKey, jwtVerify } from "jose";
import { UnauthorizedError } from "../errors/app-error";
import type { Principal, TokenVerifier } from "./principal";
import { cachingVerifier, type TokenCacheOptions } from "./token-cache";

export type { Principal, TokenVerifier } from "./principal";

export interface TokenVerifierOptions {
  /**
   * Where the public keys are: identity's JWKS URL (fetched on first use, cached, refetched when a
   * token names an unknown `kid`, at most once per `cooldownMs`), or a key resolver (identity uses
   * its own key store; tests a local JWKS).
   */
  keys: string | JWTVerifyGetKey;
  /** Accepted clock skew between identity and this process, in seconds (default 5). */
  clockToleranceSeconds?: number;
  /** Remember verified tokens (default: 10,000 for at most 60 s each); `false` verifies every time. */
  cache?: TokenCacheOptions | false;
  /** Minimum time between two JWKS fetches (default 5 s): a token with an unknown kid (after a key rotation) triggers a refetch once that long has passed since the last one. */
  cooldownMs?: number;
}

const ROLE_SET = new Set<string>([...ROLES, SERVICE_ROLE]);
const PERMISSION_SET = new Set<string>(PERMISSIONS);

/**
 * Verifies Comptoir access tokens locally: EdDSA signature against identity's keys, issuer,
 * audience, expiry, and the shape of the claims. Only `alg: EdDSA` is accepted, so `alg: none`
 * and HMAC-with-the-public-key tricks fail. Never calls identity per request.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const cooldownMs = options.cooldownMs ?? 5_000;
  const remote =
    typeof options.keys === "string"
      ? createRemoteJWKSet(new URL(options.keys), {
          cooldownDuration: cooldownMs,
          cacheMaxAge: 10 * 60_000,
          timeoutDuration: 3_000,
        })
      : undefined;
  const getKey = remote ?? (options.keys as JWTVerifyGetKey);
  const clockTolerance = options.clockToleranceSeconds ?? 5;
  const verifyOptions = {
    algorithms: [TOKEN_ALGORITHM],
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    clockTolerance,
    requiredClaims: ["sub", "exp", "iat", "jti"],
  };
  let lastReload = 0;

  async function verifySignature(token: string): Promise<Claims> {
    try {
      return (await jwtVerify<Claims>(token, getKey, verifyOptions)).payload;
    } catch (error) {
      // A kid we have not seen, within the cooldown of the last fetch: identity has just rotated its
      // key. Wait for the cooldown to end, fetch once more (shared by every request waiting) and try
      // again, rather than refusing new sessions for a few seconds after every rotation.
      if (!(error instanceof joseErrors.JWKSNoMatchingKey) || !remote?.coolingDown) throw error;
      const wait = lastReload + cooldownMs - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, cooldownMs)));
      if (!remote.reloading && Date.now() - lastReload >= cooldownMs) lastReload = Date.now();
      await remote.reload();
      return (await jwtVerify<Claims>(token, getKey, verifyOptions)).payload;
    }
  }

  const verifier: TokenVerifier = {
    async verify(token: string): Promise<Principal> {
      let payload: Claims;
      try {
        payload = await verifySignature(token);
      } catch (error) {
        throw new UnauthorizedError(describe(error), "invalid_token");
      }
      const { sub, role, permissions, storeId, jti, exp, iat, svc, sid } = payload;
      const service = role === SERVICE_ROLE ? serviceOf(sub, svc) : undefined;
      if (
        typeof sub !== "string" ||
        typeof role !== "string" ||
        !ROLE_SET.has(role) ||
        !Array.isArray(permissions) ||
        !permissions.every((p) => typeof p === "string" && PERMISSION_SET.has(p)) ||
        !(storeId === null || storeId === undefined || typeof storeId === "string") ||
        service === null
      ) {
        throw new UnauthorizedError("The access token's claims are malformed.", "invalid_token");
      }
      return {
        userId: sub,
        role: role as PrincipalRole,
        ...(service ? { service } : {}),
        permissions: permissions as Permission[],
        storeId: storeId ?? null,
        tokenId: jti as string,
        expiresAt: exp as number,
        issuedAt: iat as number,
        ...(typeof sid === "string" ? { sessionId: sid } : {}),
      };
    },
  };
  return options.cache === false ? verifier : cachingVerifier(verifier, options.cache);
}

/** The claims as read, before their shape is checked; `svc` names the account of a service token. */
type Claims = Partial<AccessTokenClaims> & { svc?: unknown; sid?: unknown };

/**
 * The account a service token speaks for, or null when its `svc` names no known account or its
 * `sub` is not that account's fixed id: identity never issues such a token.
 */
function serviceOf(sub: unknown, svc: unknown): ServiceAccountName | null {
  if (typeof svc !== "string" || !Object.hasOwn(SERVICE_ACCOUNTS, svc)) return null;
  const name = svc as ServiceAccountName;
  return SERVICE_ACCOUNTS[name].id === sub ? name : null;
}

function describe(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "The access token has expired.";
  if (error instanceof joseErrors.JWKSNoMatchingKey) return "The access token was signed with an unknown key.";
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return "The access token's signature is invalid.";
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return `The access token is not valid here (${error.claim}).`;
  if (error instanceof joseErrors.JWKSTimeout || (error as { code?: string }).code === "ERR_JWKS_TIMEOUT") {
    return "The signing keys could not be fetched in time.";
  }
  return "The access token is invalid.";
}
