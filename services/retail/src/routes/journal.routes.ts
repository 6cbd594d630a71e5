import { VatLine } from "@comptoir/contracts";
import {
  type App,
  bearerAuth,
  DateTime,
  ForbiddenError,
  Id,
  InvalidError,
  NotFoundError,
  Nullable,
  principalOf,
  problemResponses,
  requirePermission,
  Type,
} from "@comptoir/platform";
import type { FastifyRequest } from "fastify";
import type { RetailContext } from "../domain/context";
import { journalKeys, readJournal, verifyJournals } from "../domain/journal.use-cases";

// What crosses the boundary (the CLI reads the verification): to move into packages/contracts.
const JournalEntrySchema = Type.Object({
  storeId: Id,
  seq: Type.Integer({ minimum: 1 }),
  kind: Type.Union([
    Type.Literal("sale"),
    Type.Literal("return"),
    Type.Literal("void"),
    Type.Literal("session_close"),
    Type.Literal("reprint"),
  ]),
  documentId: Type.String(),
  documentNumber: Type.String(),
  occurredAt: DateTime,
  amount: Type.Integer({ description: "cents, VAT included; a sale adds, a return or a void subtracts" }),
  vat: Type.Array(VatLine),
  payload: Type.Record(Type.String(), Type.Unknown()),
  grandTotal: Type.Integer(),
  perpetualTotal: Type.Integer(),
  previousHash: Type.String({ description: "SHA-256 (hex) of the store's previous entry; 64 zeros for the first" }),
  hash: Type.String({ description: "SHA-256 (hex) of this entry's canonical form" }),
  signature: Type.String({ description: "Ed25519 signature (base64url) of the hash's 32 bytes" }),
  keyId: Id,
  recordedAt: DateTime,
});

const JournalKeySchema = Type.Object({
  id: Id,
  algorithm: Type.Literal("Ed25519"),
  publicKey: Type.String({ description: "the raw 32-byte public key, base64url" }),
  fingerprint: Type.String({ description: "SHA-256 (hex) of the raw public key" }),
  active: Type.Boolean(),
  createdAt: DateTime,
});

const FirstBroken = Type.Object({
  seq: Type.Integer(),
  documentNumber: Nullable(Type.String()),
  reason: Type.Union([
    Type.Literal("seq_gap"),
    Type.Literal("hash_mismatch"),
    Type.Literal("chain_break"),
    Type.Literal("unknown_key"),
    Type.Literal("bad_signature"),
    Type.Literal("totals_wrong"),
    Type.Literal("truncated"),
  ]),
  detail: Type.String(),
});

const Verification = Type.Object({
  stores: Type.Array(
    Type.Object({ storeId: Id, entries: Type.Integer(), ok: Type.Boolean(), firstBroken: Nullable(FirstBroken) }),
  ),
  trustedKeys: Type.Array(Type.String(), {
    description: "the fingerprints of the keys the entries were checked against",
  }),
});

const Fingerprint = Type.String({
  pattern: "^[0-9A-Fa-f: ]{64,95}$",
  description: "a key's SHA-256 fingerprint (hex)",
});

const journalNotFound = () => new NotFoundError("journal_not_found", "No journal of this store here.");

/** The store whose journal the caller reads: an admin names it, a manager reads their own store's. */
function journalStoreOf(request: FastifyRequest, storeId: string | undefined): string {
  const principal = principalOf(request);
  if (principal.permissions.includes("stores:manage")) {
    if (!storeId) throw new InvalidError("store_required", "Name the store: storeId.");
    return storeId;
  }
  if (principal.role !== "manager" || !principal.storeId) {
    throw new ForbiddenError("The journal is read by the store's manager or an admin (stores:manage).");
  }
  if (storeId && storeId !== principal.storeId) throw journalNotFound();
  return principal.storeId;
}

/** The inalterable sales journal: read a store's entries, the public keys, and verify the chains. */
export function journalRoutes(app: App, ctx: RetailContext): void {
  app.get(
    "/api/retail/journal",
    {
      schema: {
        ...bearerAuth,
        tags: ["journal"],
        summary: "A store's journal entries, in order (stores:manage; a manager their own store's)",
        description:
          "Entries after `afterSeq` (default 0), at most `limit` (default 100, at most 1000). `pagination.next` " +
          "is the `afterSeq` of the next page, null at the end. A clerk gets 403; a manager asking for another " +
          "store's journal 404 journal_not_found.",
        querystring: Type.Object({
          storeId: Type.Optional(Id),
          afterSeq: Type.Integer({ minimum: 0, default: 0 }),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        }),
        response: {
          200: Type.Object({
            data: Type.Array(JournalEntrySchema),
            pagination: Type.Object({
              afterSeq: Type.Integer(),
              limit: Type.Integer(),
              next: Nullable(Type.Integer()),
            }),
          }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const { afterSeq, limit } = request.query;
      const storeId = journalStoreOf(request, request.query.storeId);
      const data = await readJournal(ctx, { storeId, afterSeq, limit: limit + 1 });
      const page = data.slice(0, limit);
      return {
        data: page.map((e) => ({
          ...e,
          occurredAt: e.occurredAt.toISOString(),
          recordedAt: e.recordedAt.toISOString(),
        })),
        pagination: { afterSeq, limit, next: data.length > limit ? (page.at(-1)?.seq ?? null) : null },
      };
    },
  );

  app.get(
    "/api/retail/journal/keys",
    {
      schema: {
        ...bearerAuth,
        tags: ["journal"],
        summary: "The journal's public signing keys (any signed-in caller)",
        description:
          "Fingerprints are computed from the keys, not read from storage. Compare the active key's fingerprint " +
          "with the one logged at start and kept off-site; `comptoir retail verify --key` pins it.",
        response: { 200: Type.Object({ data: Type.Array(JournalKeySchema) }), ...problemResponses(401) },
      },
    },
    async (request) => {
      principalOf(request);
      const keys = await journalKeys(ctx);
      return { data: keys.map((k) => ({ ...k, createdAt: k.createdAt.toISOString() })) };
    },
  );

  app.get(
    "/api/retail/admin/journal/verify",
    {
      onRequest: requirePermission("stores:manage"),
      schema: {
        ...bearerAuth,
        tags: ["journal"],
        summary: "Recompute every store's chain and signatures (stores:manage)",
        description:
          "For each store (or `storeId`): numbering with no gap, hashes, chaining, signatures, totals and the " +
          "store's head. `firstBroken` names the first entry that fails and why. With `key` (a fingerprint), " +
          "only that key is trusted: a public key replaced in the database shows as `unknown_key`.",
        querystring: Type.Object({ storeId: Type.Optional(Id), key: Type.Optional(Fingerprint) }),
        response: { 200: Verification, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => verifyJournals(ctx, { storeId: request.query.storeId, pinnedKey: request.query.key }),
  );
}
