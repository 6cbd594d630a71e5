import { API_KEY_PATTERN, type ApiKeyTier } from "@comptoir/contracts";
import { DateTime, Id, type Static, Type } from "@comptoir/platform";

export const Tier = Type.Union([
  Type.Literal("admin"),
  Type.Literal("frontend"),
  Type.Literal("mobile"),
  Type.Literal("partner"),
]);

/** An API key as listed: never the key, never its hash. */
export const ApiKey = Type.Object({
  id: Id,
  name: Type.String(),
  tier: Tier,
  prefix: Type.String({ description: "the key's first characters" }),
  createdBy: Type.Union([Id, Type.Null()]),
  demo: Type.Boolean(),
  createdAt: DateTime,
  lastUsedAt: Type.Union([DateTime, Type.Null()]),
  revokedAt: Type.Union([DateTime, Type.Null()]),
});
export type ApiKey = Static<typeof ApiKey>;

/** A key just created: the secret is in it, shown this once. */
export const CreatedApiKey = Type.Object({
  id: Id,
  name: Type.String(),
  tier: Tier,
  key: Type.String({ pattern: API_KEY_PATTERN }),
  prefix: Type.String(),
  createdAt: DateTime,
});
export type CreatedApiKey = Static<typeof CreatedApiKey>;

const KEY = new RegExp(API_KEY_PATTERN);

/** Whether `key` has a key's shape (`ck_<tier>_<43 base64url>`): anything else is unknown without a lookup. */
export function isWellFormedKey(key: string): boolean {
  return KEY.test(key);
}

/**
 * The key made of a tier and a random secret, and its prefix: `ck_<tier>_` and four characters of
 * the secret, enough to recognise a key, useless to guess it.
 */
export function mintKey(tier: ApiKeyTier, secret: string): { key: string; prefix: string } {
  return { key: `ck_${tier}_${secret}`, prefix: `ck_${tier}_${secret.slice(0, 4)}` };
}
