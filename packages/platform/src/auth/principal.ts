import type { PrincipalRole, Permission, ServiceAccountName } from "@comptoir/contracts";

/** Who is calling, as read from a verified access token. */
export interface Principal {
  /** The user id, or the service account's fixed id. */
  userId: string;
  role: PrincipalRole;
  /** The calling service, for a service token (role `service`) only. */
  service?: ServiceAccountName;
  permissions: readonly Permission[];
  storeId: string | null;
  /** The token's `jti`. */
  tokenId: string;
  /** Expiry, in seconds since the epoch. */
  expiresAt: number;
  /** When it was issued (`iat`), in seconds since the epoch. */
  issuedAt: number;
  /** The session (`sid`) a user's token was issued in; absent for a service token. */
  sessionId?: string;
}

export interface TokenVerifier {
  /** The principal of a valid token; throws UnauthorizedError (code `invalid_token`) otherwise. */
  verify(token: string): Promise<Principal>;
}
