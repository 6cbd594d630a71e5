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
  "sales:discount",
  "sales:return-unreceipted",
  "stores:manage",
  "orders:manage",
  "carts:manage",
  "payments:read",
  "payments:write",
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
    "sales:discount",
    "sales:return-unreceipted",
    "orders:manage",
    "payments:read",
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
/**
 * Services that call other services with a token of their own (for work no user request carries:
 * a saga resumed after a crash, an event handler). Each has a fixed id, used as the token's `sub`
 * and recorded as the actor (e.g. in the stock ledger, next to the reference of the business
 * document), and only the permissions it needs. Identity issues these tokens at
 * SERVICE_TOKEN_PATH to a caller that proves the account's own credential (SERVICE_CREDENTIAL:
 * HMAC-SHA256 of the account's name under identity's INTERNAL_SECRET, which only identity holds).
 */
export const SERVICE_ACCOUNTS = {
  supply: { id: "0192f5a0-0000-7000-8000-00000000a001", permissions: ["stock:read", "stock:adjust"] },
  orders: {
    id: "0192f5a0-0000-7000-8000-00000000a002",
    permissions: ["stock:read", "stock:adjust", "carts:manage", "payments:read", "payments:write"],
  },
  retail: {
    id: "0192f5a0-0000-7000-8000-00000000a003",
    permissions: ["stock:read", "stock:adjust", "payments:read", "payments:write"],
  },
  cart: { id: "0192f5a0-0000-7000-8000-00000000a004", permissions: ["stock:read"] },
} as const satisfies Record<string, { id: string; permissions: readonly Permission[] }>;
export type ServiceAccountName = keyof typeof SERVICE_ACCOUNTS;
export const SERVICE_ACCOUNT_NAMES = Object.keys(SERVICE_ACCOUNTS) as ServiceAccountName[];
/**
 * Who is given a credential derived from INTERNAL_SECRET (SERVICE_CREDENTIAL): each service account,
 * and the gateway. The gateway has no account (it never needs a token of its own, and
 * SERVICE_TOKEN_PATH names accounts only), but it signs with its credential what it tells identity
 * about a request (GATEWAY_PROOF_HEADERS).
 */
export type CredentialHolder = ServiceAccountName | "gateway";
export const CREDENTIAL_HOLDERS: readonly CredentialHolder[] = [...SERVICE_ACCOUNT_NAMES, "gateway"];
/** The role of a service account's token. Never a user's role: users have one of ROLES. */
export const SERVICE_ROLE = "service";
/** The role a verified token may carry: a user's role, or `service`. */
export type PrincipalRole = Role | typeof SERVICE_ROLE;
/**
 * Identity's internal endpoint that issues a service token: POST `{service, credential}` → 200
 * `{token, expiresIn}`; 401 when the credential is not that account's. Internal: the gateway answers
 * 404 to it from outside.
 */
export const SERVICE_TOKEN_PATH = "/api/identity/internal/service-tokens";
export interface ServiceTokenResponse {
  token: string;
  /** Seconds until the token expires. */
  expiresIn: number;
}
/**
 * The development default of INTERNAL_SECRET (identity's master of the service credentials); identity
 * refuses it in production mode, and every calling service the credential derived from it.
 */
export const DEFAULT_INTERNAL_SECRET = "comptoir-development-internal-secret";
/**
 * The development default of identity's KEYS_SECRET (encrypts its signing keys at rest); production
 * refuses it. The launcher keeps it for a data folder whose keys it encrypted before per-folder secrets.
 */
export const DEFAULT_KEYS_SECRET = "comptoir-development-secret";

export interface AccessTokenClaims {
  /** The user id (UUIDv7). */
  sub: string;
  role: PrincipalRole;
  permissions: Permission[];
  /** The store a staff member is attached to; null for customers and unattached staff. */
  storeId: string | null;
  iss: typeof TOKEN_ISSUER;
  aud: typeof TOKEN_AUDIENCE;
  iat: number;
  exp: number;
  jti: string;
}

/**
 * API keys identify a client application (a consumer) and its rate-limit tier (seed 004). They carry
 * no user permissions: what a request may do still comes from the user's access token, if any.
 */
export const API_KEY_TIERS = ["admin", "frontend", "mobile", "partner"] as const;
export type ApiKeyTier = (typeof API_KEY_TIERS)[number];
/** Default requests per hour of each tier (seed 004); the gateway config may override them. */
export const API_KEY_TIER_LIMITS: Record<ApiKeyTier, number> = {
  admin: 1000,
  frontend: 2000,
  mobile: 1000,
  partner: 500,
};
/** Headers a client may send an API key in (Kong's names). */
export const API_KEY_HEADERS = ["x-api-key", "apikey"] as const;
/** API keys look like `ck_<tier>_<43 base64url chars>`: the tier is readable, the rest is secret. */
export const API_KEY_PATTERN = "^ck_(admin|frontend|mobile|partner)_[A-Za-z0-9_-]{43}$";

/**
 * Identity's internal endpoint the gateway resolves an API key with (POST `{key}` → 200
 * ResolvedApiKey, or 404 when unknown or revoked). Never routed from outside: the gateway answers
 * 404 to any public `/api/<service>/internal/...` path.
 */
export const API_KEY_RESOLVE_PATH = "/api/identity/internal/api-keys/resolve";
export interface ResolvedApiKey {
  id: string;
  /** The consumer's name as given at creation (e.g. "partner-acme"). */
  name: string;
  tier: ApiKeyTier;
}

/**
 * What the gateway tells the services about the caller, after stripping any client-sent copy.
 * Services still verify the JWT themselves; these are for logs, metrics and per-consumer decisions.
 */
export const IDENTITY_HEADERS = {
  /** The API key's consumer name, when the request came with a valid key. */
  consumer: "x-comptoir-consumer",
  /** The API key's tier. */
  tier: "x-comptoir-tier",
  /** The verified user id (token `sub`). */
  userId: "x-comptoir-user-id",
  /** The verified role. */
  role: "x-comptoir-role",
  /**
   * The client's address as the gateway saw it (identity throttles logins per IP with it, when the
   * request carries the gateway's proof, GATEWAY_PROOF_HEADERS).
   */
  clientIp: "x-comptoir-client-ip",
} as const;
/**
 * The gateway's proof that it sent a request and what IDENTITY_HEADERS.clientIp says: `proof` =
 * HMAC-SHA256(the gateway's SERVICE_CREDENTIAL, method, path, x-request-id, client IP and `time`),
 * hex; `time` = when, in Unix seconds. Identity believes the client IP, and resolves API keys, only
 * for a proof that verifies and is recent (packages/platform's gateway-proof.ts).
 */
export const GATEWAY_PROOF_HEADERS = {
  proof: "x-comptoir-gateway-proof",
  time: "x-comptoir-gateway-time",
} as const;
/** Any request header starting with this prefix is removed by the gateway before forwarding. */
export const INTERNAL_HEADER_PREFIX = "x-comptoir-";

/**
 * Identity's revocation list (internal): what was revoked before its tokens expire. Each process
 * that verifies tokens reads what is new since its cursor, every 2 seconds (packages/platform's
 * revocations.ts).
 */
export const REVOCATIONS_PATH = "/api/identity/internal/revocations";

/** One revocation: every token of a session (`sessionId`), or a user's tokens issued before `revokedAt`. */
export interface RevocationEntry {
  /** Increasing: the cursor of the next read. */
  id: number;
  userId: string;
  /** Set: that session's tokens only (a logout); null: every token of the user issued before `revokedAt`. */
  sessionId: string | null;
  /** ISO 8601. */
  revokedAt: string;
  /** ISO 8601: no token this entry revokes is valid after it; the entry can be forgotten then. */
  expiresAt: string;
}

export interface RevocationsPage {
  data: RevocationEntry[];
  /** The last entry's id (or the `after` asked for when there is none). */
  cursor: number;
  /** More entries follow this page. */
  more: boolean;
}
