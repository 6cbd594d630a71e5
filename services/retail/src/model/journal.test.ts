import { generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  canonicalJson,
  EMPTY_HEAD,
  fingerprintOf,
  GENESIS_HASH,
  hashEntry,
  type JournalEntry,
  type JournalInput,
  type JournalPublicKey,
  type JournalSigner,
  normalizeFingerprint,
  rawPublicKey,
  sealEntry,
  verifyChain,
} from "./journal";

const STORE = "0192f5a0-0000-7000-8000-0000000000a1";

function keyPair(id: string): { signer: JournalSigner; key: JournalPublicKey } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return { signer: { keyId: id, privateKey }, key: { id, publicKey: rawPublicKey(publicKey) } };
}
const { signer, key } = keyPair("0192f5a0-0000-7000-8000-00000000c0de");

const input = (n: number, amount: number, kind: JournalInput["kind"] = "sale"): JournalInput => ({
  storeId: STORE,
  kind,
  documentId: `0192f5a0-0000-7000-8000-${String(n).padStart(12, "0")}`,
  documentNumber: `T-${String(n).padStart(6, "0")}`,
  occurredAt: new Date(Date.UTC(2025, 0, 2, 10, 0, n)),
  amount,
  vat:
    amount === 0
      ? []
      : [{ rate: 2000, base: Math.round(amount / 1.2), vat: amount - Math.round(amount / 1.2), total: amount }],
  payload: { lines: [{ sku: `SKU-${n}`, quantity: 1, unitPrice: Math.abs(amount) }], note: n % 2 ? "é ✓" : undefined },
});

/** A chain of entries for amounts, as the journal would have written them. */
function chain(amounts: readonly number[], by: JournalSigner = signer): JournalEntry[] {
  const entries: JournalEntry[] = [];
  let head = EMPTY_HEAD;
  amounts.forEach((amount, i) => {
    const entry = sealEntry(
      head,
      input(i + 1, amount, amount < 0 ? "return" : amount === 0 ? "reprint" : "sale"),
      by,
      new Date(Date.UTC(2025, 0, 2, 10, 0, i + 1, 500)),
    );
    entries.push(entry);
    head = entry;
  });
  return entries;
}

/** An entry as it reads back from the database: dates as Date, JSON through JSON. */
const reread = (e: JournalEntry): JournalEntry => ({
  ...(JSON.parse(JSON.stringify(e)) as JournalEntry),
  occurredAt: new Date(e.occurredAt),
  recordedAt: new Date(e.recordedAt),
});

describe("canonical form", () => {
  it("sorts keys at every depth, drops undefined members and writes dates as ISO strings", () => {
    expect(
      canonicalJson({ b: 1, a: { d: [2, { z: true, y: null }], c: undefined }, t: new Date(Date.UTC(2025, 0, 1)) }),
    ).toBe('{"a":{"d":[2,{"y":null,"z":true}]},"b":1,"t":"2025-01-01T00:00:00.000Z"}');
  });

  it("is the same whatever the order the keys were written in", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (object) => {
        const reversed = Object.fromEntries(Object.entries(object).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(object));
      }),
    );
  });

  it("refuses what has no JSON form (NaN, Infinity, functions) and amounts that are not integers", () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/finite/);
    expect(() => canonicalJson({ x: Infinity })).toThrow(/finite/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/no JSON form/);
    expect(() => sealEntry(EMPTY_HEAD, { ...input(1, 0), amount: 12.5 }, signer, new Date())).toThrow(/integer/);
  });
});

describe("sealing an entry", () => {
  it("numbers from 1, starts from 64 zeros, chains each hash to the one before and signs it", () => {
    const [first, second] = chain([1250, 990]);
    expect(first).toMatchObject({ seq: 1, previousHash: GENESIS_HASH, keyId: key.id });
    expect(second).toMatchObject({ seq: 2, previousHash: first!.hash });
    expect(first!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first!.hash).toBe(hashEntry(first!));
    expect(first!.signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
  });

  it("keeps a grand total of the signed amounts and a perpetual total of their absolute values", () => {
    const entries = chain([1000, 2500, -1000, 0, -500]);
    expect(entries.map((e) => e.grandTotal)).toEqual([1000, 3500, 2500, 2500, 2000]);
    expect(entries.map((e) => e.perpetualTotal)).toEqual([1000, 3500, 4500, 4500, 5000]);
  });

  it("hashes the same entry to the same hash once read back from the database", () => {
    for (const e of chain([100, -50, 0])) expect(hashEntry(reread(e))).toBe(e.hash);
  });
});

describe("verifying a chain", () => {
  it("accepts an intact chain, as written and as read back", () => {
    const entries = chain([1000, 2500, -1000, 0]);
    expect(verifyChain(entries, [key])).toEqual({ entries: 4, ok: true, firstBroken: null });
    expect(verifyChain(entries.map(reread), [key], { seq: 4, hash: entries[3]!.hash }).ok).toBe(true);
    expect(verifyChain([], [key])).toEqual({ entries: 0, ok: true, firstBroken: null });
  });

  it("names an entry whose amount was changed (hash mismatch)", () => {
    const entries = chain([1000, 2500, -1000]);
    entries[1] = { ...entries[1]!, amount: 250 };
    expect(verifyChain(entries, [key]).firstBroken).toMatchObject({
      seq: 2,
      documentNumber: "T-000002",
      reason: "hash_mismatch",
    });
  });

  it("names an entry altered and rehashed without the private key (bad signature)", () => {
    const entries = chain([1000, 2500, -1000]);
    const altered = { ...entries[1]!, amount: 250 };
    entries[1] = { ...altered, hash: hashEntry(altered) };
    expect(verifyChain(entries, [key]).firstBroken).toMatchObject({ seq: 2, reason: "bad_signature" });
  });

  it("names the entry after a removed one (seq gap) and one re-chained over it (chain break)", () => {
    const entries = chain([1, 2, 3, 4]);
    expect(verifyChain([entries[0]!, entries[2]!, entries[3]!], [key]).firstBroken).toMatchObject({
      seq: 3,
      reason: "seq_gap",
    });
    // The attacker without the key renumbers and rehashes: the chain or the signature gives it away.
    const forged = sealEntry(entries[0]!, { ...input(3, 3) }, keyPair(key.id).signer, entries[2]!.recordedAt);
    expect(verifyChain([entries[0]!, forged], [key]).firstBroken).toMatchObject({ seq: 2, reason: "bad_signature" });
  });

  it("names an entry signed by a key it does not trust (a swapped public key with --key pinned)", () => {
    const other = keyPair("0192f5a0-0000-7000-8000-00000000beef");
    const entries = chain([1000, 200], other.signer);
    expect(verifyChain(entries, [key]).firstBroken).toMatchObject({ seq: 1, reason: "unknown_key" });
    expect(verifyChain(entries, [other.key]).ok).toBe(true);
  });

  it("names totals that do not follow from the amounts even when hash and signature are valid", () => {
    const entries = chain([1000]);
    const wrongHead = { ...EMPTY_HEAD, grandTotal: 5 };
    const second = sealEntry(
      { ...wrongHead, seq: 1, hash: entries[0]!.hash, perpetualTotal: 1000 },
      input(2, 100),
      signer,
      new Date(),
    );
    expect(verifyChain([entries[0]!, second], [key]).firstBroken).toMatchObject({ seq: 2, reason: "totals_wrong" });
  });

  it("names a cut tail when the store's head is past the last entry", () => {
    const entries = chain([1, 2, 3]);
    expect(verifyChain(entries.slice(0, 2), [key], { seq: 3, hash: entries[2]!.hash }).firstBroken).toMatchObject({
      seq: 3,
      reason: "truncated",
    });
  });

  it("detects any single-field change of any entry", () => {
    const fields = [
      "storeId",
      "kind",
      "documentId",
      "documentNumber",
      "occurredAt",
      "amount",
      "vat",
      "payload",
      "seq",
      "grandTotal",
      "perpetualTotal",
      "previousHash",
      "hash",
      "signature",
      "keyId",
      "recordedAt",
    ] as const;
    const entries = chain([1000, 2500, -1000, 0, 700]);
    const change = (e: JournalEntry, field: (typeof fields)[number], n: number): JournalEntry => {
      const v = e[field];
      let next: unknown;
      if (v instanceof Date) next = new Date(v.getTime() + n);
      else if (typeof v === "number") next = v + n;
      else if (field === "kind") next = v === "void" ? "sale" : "void";
      else if (field === "vat") next = [...e.vat, { rate: 550, base: n, vat: 0, total: n }];
      else if (field === "payload") next = { ...e.payload, extra: n };
      else if (field === "hash" || field === "previousHash")
        next = (v as string).slice(0, -1) + ((v as string).endsWith("0") ? "1" : "0");
      else if (field === "signature")
        next = (v as string).slice(0, 10) + ((v as string)[10] === "A" ? "B" : "A") + (v as string).slice(11);
      else next = `${v as string}x`;
      return { ...e, [field]: next };
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: entries.length - 1 }),
        fc.constantFrom(...fields),
        fc.integer({ min: 1, max: 1_000_000 }),
        (index, field, n) => {
          const altered = entries.map((e, i) => (i === index ? change(e, field, n) : e));
          const result = verifyChain(altered, [key], { seq: 5, hash: entries[4]!.hash });
          expect(result.ok).toBe(false);
          expect(result.firstBroken!.seq).toBeLessThanOrEqual(Math.max(index + 1, altered[index]!.seq));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("fingerprints", () => {
  it("are the SHA-256 of the raw public key, typed in any case and with colons", () => {
    const fp = fingerprintOf(key.publicKey);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(normalizeFingerprint(fp.toUpperCase().match(/../g)!.join(":"))).toBe(fp);
  });
});
