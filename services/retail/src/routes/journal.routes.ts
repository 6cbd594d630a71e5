import { retailHttp } from "@comptoir/contracts/http";
import {
  type App,
  bearerAuth,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  principalOf,
  problemResponses,
  requirePermission,
} from "@comptoir/platform";
import type { FastifyRequest } from "fastify";
import type { RetailContext } from "../domain/context";
import { journalKeys, readJournal, verifyJournals } from "../domain/journal.use-cases";

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
        querystring: retailHttp.readJournal.query,
        response: { ...retailHttp.readJournal.responses, ...problemResponses(400, 401, 403, 404) },
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
        response: { ...retailHttp.journalKeys.responses, ...problemResponses(401) },
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
        querystring: retailHttp.verifyJournal.query,
        response: { ...retailHttp.verifyJournal.responses, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => verifyJournals(ctx, { storeId: request.query.storeId, pinnedKey: request.query.key }),
  );
}
