import { parseArgs } from "node:util";
import type { retailHttp } from "@comptoir/contracts/http";
import { UsageError, UserError } from "../errors";
import { AdminClient } from "../events/admin-client";
import { adminToken } from "../events/admin-token";
import { describeProblem } from "../events/format";
import { locateGateway } from "../events/platform-location";
import type { EventsContext } from "./events.command";

export const RETAIL_USAGE = `Usage: comptoir retail <command>

Commands:
  verify [--store <id or code>] [--key <fingerprint>] [--json]
                    recompute each store's sales journal: numbering, SHA-256 chain, Ed25519
                    signatures and perpetual totals; names the first broken entry (store, seq,
                    document number, reason); exit code 1 when one is found

Options:
  --store <id|code> one store only (default: every store that has a journal)
  --key <fingerprint>
                    trust only the signing key with this SHA-256 fingerprint (logged by retail
                    at start, and by GET /api/retail/journal/keys): keep it off-site, so that
                    a public key replaced in the database is caught
  --json            print the verification as JSON
  --url <url>       the gateway (default: COMPTOIR_URL, else the running platform's, else
                    http://127.0.0.1:8080). Needs an admin: COMPTOIR_TOKEN, or the demo admin
                    of a platform running in demo mode from this data folder.
`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FINGERPRINT = /^[0-9a-f]{64}$/;

/** The stores' codes by id, as retail lists them (every page); empty if they cannot be read. */
async function storeCodes(client: AdminClient): Promise<Map<string, string>> {
  const codes = new Map<string, string>();
  for (let page = 1; page <= 100; page++) {
    const answer = await client.get(`/api/retail/stores?page=${page}&limit=200`);
    if (answer.status !== 200) break;
    const body = answer.body as { data?: { id: string; code: string }[]; pagination?: { total?: number } };
    for (const s of body.data ?? []) codes.set(s.id, s.code);
    if ((body.data ?? []).length < 200 || codes.size >= (body.pagination?.total ?? 0)) break;
  }
  return codes;
}

/** `comptoir retail ...`: resolves with the exit code. */
export async function retailCommand(args: string[], context: EventsContext): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    for (const line of RETAIL_USAGE.trimEnd().split("\n")) (command ? context.out : context.err)(line);
    return command ? 0 : 2;
  }
  if (command !== "verify") throw new UsageError(`retail: unknown command "${command}" (see comptoir retail --help)`);
  let values: {
    url?: string | undefined;
    json?: boolean | undefined;
    store?: string | undefined;
    key?: string | undefined;
  };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        url: { type: "string" },
        json: { type: "boolean" },
        store: { type: "string" },
        key: { type: "string" },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`retail verify: ${(error as Error).message}`);
  }
  const key = values.key?.replace(/[\s:]/g, "").toLowerCase();
  if (key !== undefined && !FINGERPRINT.test(key)) {
    throw new UsageError("retail verify: --key takes a key's SHA-256 fingerprint (64 hexadecimal digits)");
  }
  const baseUrl = locateGateway(values.url, context.env, context.cwd);
  const client = new AdminClient({
    baseUrl,
    token: await adminToken(context.env, context.cwd, baseUrl, context.request),
    request: context.request,
  });
  const codes = await storeCodes(client);
  let storeId: string | undefined;
  if (values.store !== undefined) {
    storeId = UUID.test(values.store)
      ? values.store
      : [...codes].find(([, code]) => code.toLowerCase() === values.store!.toLowerCase())?.[0];
    if (!storeId) throw new UserError(`retail verify: no store with the code "${values.store}"`);
  }
  const query = new URLSearchParams();
  if (storeId) query.set("storeId", storeId);
  if (key) query.set("key", key);
  const answer = await client.get(`/api/retail/admin/journal/verify${query.size ? `?${query}` : ""}`);
  if (answer.status !== 200) {
    throw new UserError(`retail verify: ${describeProblem(answer.status, answer.body)}`);
  }
  const report = answer.body as retailHttp.JournalVerification;
  const broken = report.stores.filter((s) => !s.ok);
  if (values.json) {
    context.out(JSON.stringify(report));
    return broken.length === 0 ? 0 : 1;
  }
  const name = (id: string) => (codes.has(id) ? `${codes.get(id)} (${id})` : id);
  if (report.stores.length === 0) context.out("no store has a journal yet");
  for (const s of report.stores) {
    if (s.ok) {
      context.out(`store ${name(s.storeId)}: ${s.entries} entries, chain and signatures intact`);
    } else {
      const b = s.firstBroken!;
      context.out(
        `store ${name(s.storeId)}: BROKEN at seq ${b.seq}` +
          `${b.documentNumber ? ` (document ${b.documentNumber})` : ""}: ${b.reason} — ${b.detail}`,
      );
    }
  }
  context.out(
    key
      ? `checked against the pinned key ${key}`
      : `checked against the keys retail publishes (${report.trustedKeys.join(", ") || "none"}); pin one with --key`,
  );
  if (broken.length > 0) context.out(`${broken.length} of ${report.stores.length} journals are broken`);
  return broken.length === 0 ? 0 : 1;
}
