import { describe, expect, it } from "vitest";
import { hashCartToken, newCartToken, tokenMatches } from "./cart-token";

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
