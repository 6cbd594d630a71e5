import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * A guest cart's secret: 32 random bytes (base64url), handed to the client once, when the cart is
 * created, and sent back as `X-Cart-Token`. Only its sha256 is stored, so a leaked database or Redis
 * dump opens no cart. Not a UUIDv7: those are time-ordered, not secret.
 */
export function newCartToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashCartToken(token) };
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
