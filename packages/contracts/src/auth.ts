/**
 * The access-token contract between identity (which signs), the gateway (which verifies and
 * forwards) and every service (which verifies again and checks permissions). SPEC §3.2, §4.
 */

export const ROLES = ["admin", "manager", "clerk", "customer"] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  "catalog:write",
  "stock:read",
  "stock:adjust",
  "supply:request",
  "supply:approve",
  "sales:create",
  "orders:manage",
  "reports:read",
  "users:read",
  "users:write",
  "apikeys:manage",
  "notifications:read",
  "events:admin",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** What each role may do. Customers act only on their own resources (checked by object, not by permission). */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  manager: [
    "stock:read",
    "stock:adjust",
    "supply:request",
    "supply:approve",
    "sales:create",
    "orders:manage",
    "reports:read",
  ],
  clerk: ["stock:read", "sales:create", "supply:request"],
  customer: [],
};

/** JWT `iss` and `aud` of Comptoir access tokens. */
export const TOKEN_ISSUER = "comptoir-identity";
export const TOKEN_AUDIENCE = "comptoir";
/** Signing algorithm of access tokens (Ed25519). */
export const TOKEN_ALGORITHM = "EdDSA";
/** Where identity publishes its public keys, as seen through the gateway and on identity itself. */
export const JWKS_PATH = "/api/identity/.well-known/jwks.json";

/** The claims of an access token (JWT, header `kid` names the signing key). */
export interface AccessTokenClaims {
  /** The user id (UUIDv7). */
  sub: string;
  role: Role;
  permissions: Permission[];
  /** The store a staff member is attached to; null for customers and unattached staff. */
  storeId: string | null;
  iss: typeof TOKEN_ISSUER;
  aud: typeof TOKEN_AUDIENCE;
  iat: number;
  exp: number;
  jti: string;
}
