import { type Principal, UnauthorizedError } from "../src";
import { cachingVerifier } from "../src/auth/token-cache";
import { describe, expect, it } from "vitest";

const principal = (expiresAt: number): Principal => ({
  userId: "u",
  role: "clerk",
  permissions: [],
  storeId: null,
  tokenId: "j",
  expiresAt,
  issuedAt: expiresAt - 900,
});

describe("the verified-token cache", () => {
  it("reuses a verified token, never past its expiry, and never caches a refusal", async () => {
    let now = 1_000_000;
    let calls = 0;
    let valid = true;
    const verifier = cachingVerifier(
      {
        async verify() {
          calls += 1;
          if (!valid) throw new UnauthorizedError("The access token has expired.", "invalid_token");
          return principal(1_010); // expires at t = 1_010_000 ms
        },
      },
      { ttlMs: 60_000, now: () => now },
    );

    await verifier.verify("a");
    await verifier.verify("a");
    expect(calls).toBe(1);
    now = 1_009_999;
    await verifier.verify("a");
    expect(calls).toBe(1);
    now = 1_010_000;
    valid = false;
    await expect(verifier.verify("a")).rejects.toMatchObject({ code: "invalid_token" });
    await expect(verifier.verify("a")).rejects.toMatchObject({ code: "invalid_token" });
    expect(calls).toBe(3);
  });

  it("keeps at most maxEntries tokens, evicting the least recently used", async () => {
    let calls = 0;
    const verifier = cachingVerifier(
      {
        async verify() {
          calls += 1;
          return principal(Date.now() / 1000 + 900);
        },
      },
      { maxEntries: 2 },
    );
    await verifier.verify("a");
    await verifier.verify("b");
    await verifier.verify("a"); // a is now the most recent
    await verifier.verify("c"); // evicts b
    expect(calls).toBe(3);
    await verifier.verify("a");
    expect(calls).toBe(3);
    await verifier.verify("b");
    expect(calls).toBe(4);
  });
});
