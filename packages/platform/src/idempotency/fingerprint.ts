import { createHash, createHmac } from "node:crypto";

/**
 * JSON with the members of every object sorted, at every depth: two requests that differ only in
 * the order their members were written in read the same. Arrays keep their order (it means
 * something); members whose value is undefined are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sorted(value)) ?? "null";
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const object = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(object)
        .sort()
        .map((k) => [k, sorted(object[k])]),
    );
  }
  return value;
}

/**
 * What a request was, to tell a replay (same fingerprint) from another request under the same key:
 * SHA-256 of its canonical JSON, or its HMAC-SHA-256 under `secret` when what is hashed could be
 * guessed back from a plain digest (a card's last digits, an e-mail). Give it the already-validated
 * body plus whatever else the operation depends on, never a secret such as a card number.
 */
export function fingerprint(value: unknown, secret?: Buffer): string {
  const hash = secret ? createHmac("sha256", secret) : createHash("sha256");
  return hash.update(canonicalJson(value)).digest("hex");
}
