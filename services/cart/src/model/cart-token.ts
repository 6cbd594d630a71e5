import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * A guest cart's secret: 32 random bytes (base64url), handed to the client once, when the cart is
 * created, and sent back as `X-Cart-Token`. Only its sha256 is stored, so a leaked database or Redis
 * dump opens no cart. Not a UUIDv7: those are time-ordered, not secret.
 */
export function newCartToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashCartToken(token) };
}

/**
 * The shortest Idempotency-Key a guest cart may be created with: the key stands for the cart's
 * token (below), so it must be as hard to guess (a UUID is 36 characters).
 */
export const MIN_GUEST_CART_KEY_LENGTH = 32;

/**
 * The HMAC key guest carts created with an Idempotency-Key derive their id and token from: itself
 * derived from a secret of the service (its SERVICE_CREDENTIAL), never that secret as it is.
 */
export function cartKeySecret(serviceSecret: string): Buffer {
  return createHmac("sha256", serviceSecret)
    .update("comptoir cart: guest carts created with an Idempotency-Key")
    .digest();
}

/**
 * The guest cart created with Idempotency-Key `key`: its id (UUID-shaped, version 8) and its token
 * (32 bytes, base64url, as newCartToken's), both HMACs of the key under `secret` (cartKeySecret).
 * The same key always gives the same cart and token, on any instance sharing the secret; neither is
 * stored, and neither can be computed from the key without the secret.
 */
export function cartFromKey(secret: Buffer, key: string): { id: string; token: string; hash: string } {
  const mac = (purpose: string) => createHmac("sha256", secret).update(`${purpose}:${key}`, "utf8").digest();
  const bytes = mac("cart-id").subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8 (custom)
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 9562 variant
  const hex = bytes.toString("hex");
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const token = mac("cart-token").toString("base64url");
  return { id, token, hash: hashCartToken(token) };
}

export function hashCartToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Whether `presented` is the token whose hash is `hash`, compared in constant time. */
export function tokenMatches(hash: string | null, presented: string | undefined): boolean {
  if (!hash || presented === undefined) return false;
  const expected = Buffer.from(hash, "hex");
  const actual = createHash("sha256").update(presented, "utf8").digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
