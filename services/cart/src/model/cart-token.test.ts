import { describe, expect, it } from "vitest";
import { cartFromKey, cartKeySecret, hashCartToken, newCartToken, tokenMatches } from "./cart-token";

describe("the guest cart token", () => {
  it("is 32 random bytes in base64url, checked against its sha256 only", () => {
    const { token, hash } = newCartToken();
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(hash).toBe(hashCartToken(token));
    expect(tokenMatches(hash, token)).toBe(true);
    expect(tokenMatches(hash, `${token}x`)).toBe(false);
    expect(tokenMatches(hash, undefined)).toBe(false);
    expect(tokenMatches(null, token)).toBe(false);
    expect(newCartToken().token).not.toBe(token);
  });
});

describe("a guest cart created with an Idempotency-Key", () => {
  const secret = cartKeySecret("the service's credential");
  const key = "0192f5a0-1111-7000-8000-000000000001";

  it("has an id and a token derived from the key and the secret: the same every time", () => {
    const cart = cartFromKey(secret, key);
    expect(cartFromKey(cartKeySecret("the service's credential"), key)).toEqual(cart);
    expect(cart.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Buffer.from(cart.token, "base64url")).toHaveLength(32);
    expect(cart.token).toHaveLength(newCartToken().token.length);
    expect(tokenMatches(cart.hash, cart.token)).toBe(true);
  });

  it("differs with another key or another secret", () => {
    const cart = cartFromKey(secret, key);
    const other = cartFromKey(secret, `${key}x`);
    const elsewhere = cartFromKey(cartKeySecret("another credential"), key);
    for (const c of [other, elsewhere]) {
      expect(c.id).not.toBe(cart.id);
      expect(c.token).not.toBe(cart.token);
    }
  });
});
