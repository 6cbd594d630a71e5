import type { RevocationEntry, RevocationsPage } from "@comptoir/contracts";
import { describe, expect, it } from "vitest";
import { createRevocations, type Principal, revocationCheckingVerifier, type TokenVerifier } from "../src";

const USER = "0190a000-0000-7000-8000-000000000001";
const OTHER = "0190a000-0000-7000-8000-000000000002";
const T0 = Date.parse("2026-12-06T10:00:00.000Z");
const s = (ms: number) => Math.floor(ms / 1000);

function principal(issuedAtMs: number, over: Partial<Principal> = {}): Principal {
  return {
    userId: USER,
    role: "clerk",
    permissions: [],
    storeId: null,
    tokenId: "j",
    issuedAt: s(issuedAtMs),
    expiresAt: s(issuedAtMs) + 900,
    sessionId: "session-a",
    ...over,
  };
}

/** Identity's list as a test edits it, answered page by page. */
function fakeIdentity(pageSize = 2) {
  const entries: RevocationEntry[] = [];
  const asked: number[] = [];
  return {
    entries,
    asked,
    add(entry: Omit<RevocationEntry, "id" | "expiresAt"> & { expiresAt?: string }) {
      entries.push({
        id: entries.length + 1,
        expiresAt: new Date(Date.parse(entry.revokedAt) + 900_000).toISOString(),
        ...entry,
      });
    },
    async fetchPage(after: number): Promise<RevocationsPage> {
      asked.push(after);
      const rest = entries.filter((e) => e.id > after);
      const data = rest.slice(0, pageSize);
      return { data, cursor: data.at(-1)?.id ?? after, more: rest.length > pageSize };
    },
  };
}

describe("the revocation list", () => {
  it("revokes a user's tokens issued up to the second of the revocation, and not later ones", async () => {
    const identity = fakeIdentity();
    let now = T0;
    const list = createRevocations({ fetchPage: identity.fetchPage, now: () => now });
    identity.add({ userId: USER, sessionId: null, revokedAt: new Date(T0 + 400).toISOString() });
    await list.refresh();

    expect(list.revoked(principal(T0 - 60_000))).toBe(true);
    expect(list.revoked(principal(T0 + 900))).toBe(true); // the same second: revoked too
    expect(list.revoked(principal(T0 + 1_000))).toBe(false); // signed in again afterwards
    expect(list.revoked(principal(T0 - 60_000, { userId: OTHER }))).toBe(false);

    // Once no token it names can still be valid, the entry is forgotten.
    now = T0 + 901_000;
    await list.refresh();
    expect(list.revoked(principal(T0 - 60_000))).toBe(false);
  });

  it("revokes every token of a logged-out session, whenever issued, and only that session's", async () => {
    const identity = fakeIdentity();
    const list = createRevocations({ fetchPage: identity.fetchPage, now: () => T0 });
    identity.add({ userId: USER, sessionId: "session-a", revokedAt: new Date(T0).toISOString() });
    await list.refresh();

    expect(list.revoked(principal(T0 + 5_000, { sessionId: "session-a" }))).toBe(true);
    expect(list.revoked(principal(T0 - 5_000, { sessionId: "session-b" }))).toBe(false);
  });

  it("reads only what is new, page after page, from its cursor", async () => {
    const identity = fakeIdentity(2);
    const list = createRevocations({ fetchPage: identity.fetchPage, now: () => T0 });
    for (const sessionId of ["a", "b", "c", "d", "e"]) {
      identity.add({ userId: USER, sessionId, revokedAt: new Date(T0).toISOString() });
    }
    await list.refresh();
    expect(identity.asked).toEqual([0, 2, 4]);
    await list.refresh();
    expect(identity.asked).toEqual([0, 2, 4, 5]);
    for (const sessionId of ["a", "c", "e"]) expect(list.revoked(principal(T0, { sessionId }))).toBe(true);
  });

  it("keeps what it learned while identity cannot be reached, and catches up afterwards", async () => {
    const identity = fakeIdentity();
    let down = false;
    const list = createRevocations({
      fetchPage: (after) => (down ? Promise.reject(new Error("ECONNREFUSED")) : identity.fetchPage(after)),
      now: () => T0,
      intervalMs: 20,
    });
    identity.add({ userId: USER, sessionId: "a", revokedAt: new Date(T0).toISOString() });
    list.start();
    await expect.poll(() => list.revoked(principal(T0, { sessionId: "a" }))).toBe(true);
    down = true;
    identity.add({ userId: USER, sessionId: "b", revokedAt: new Date(T0).toISOString() });
    await new Promise((r) => setTimeout(r, 100));
    expect(list.revoked(principal(T0, { sessionId: "a" }))).toBe(true);
    down = false;
    await expect.poll(() => list.revoked(principal(T0, { sessionId: "b" }))).toBe(true);
    await list.stop();
  });

  it("makes a verifier refuse a revoked token with 401 token_revoked, even one it has already verified", async () => {
    const identity = fakeIdentity();
    const list = createRevocations({ fetchPage: identity.fetchPage, now: () => T0 });
    const inner: TokenVerifier = { verify: async () => principal(T0 - 10_000) };
    const verifier = revocationCheckingVerifier(inner, list);

    await expect(verifier.verify("t")).resolves.toMatchObject({ userId: USER });
    identity.add({ userId: USER, sessionId: null, revokedAt: new Date(T0).toISOString() });
    await list.refresh();
    await expect(verifier.verify("t")).rejects.toMatchObject({ status: 401, code: "token_revoked" });
  });
});
