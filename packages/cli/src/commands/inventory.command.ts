import { parseArgs } from "node:util";
import { UsageError, UserError } from "../errors";
import { AdminClient } from "../events/admin-client";
import { adminToken } from "../events/admin-token";
import { describeProblem } from "../events/format";
import { locateGateway } from "../events/platform-location";
import type { EventsContext } from "./events.command";

export const INVENTORY_USAGE = `Usage: comptoir inventory <command>

Commands:
  verify [--json]   recompute every stock level from the movement ledger and the active
                    reservations, and list any level that differs (there must be none);
                    exit code 1 when one does

Options:
  --url <url>       the gateway (default: COMPTOIR_URL, else the running platform's, else
                    http://127.0.0.1:8080). Needs an admin: COMPTOIR_TOKEN, or the demo admin
                    of a platform running in demo mode from this data folder.
`;

interface Drift {
  variantId: string;
  locationId: string;
  onHand: number;
  ledgerOnHand: number;
  reserved: number;
  activeReserved: number;
  problems: string[];
}

/** `comptoir inventory ...`: resolves with the exit code. */
export async function inventoryCommand(args: string[], context: EventsContext): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    for (const line of INVENTORY_USAGE.trimEnd().split("\n")) (command ? context.out : context.err)(line);
    return command ? 0 : 2;
  }
  if (command !== "verify")
    throw new UsageError(`inventory: unknown command "${command}" (see comptoir inventory --help)`);
  let values: { url?: string | undefined; json?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { url: { type: "string" }, json: { type: "boolean" } },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`inventory verify: ${(error as Error).message}`);
  }
  const baseUrl = locateGateway(values.url, context.env, context.cwd);
  const client = new AdminClient({
    baseUrl,
    token: await adminToken(context.env, context.cwd, baseUrl, context.request),
    request: context.request,
  });
  const answer = await client.get("/api/inventory/admin/verify");
  if (answer.status !== 200) {
    throw new UserError(`inventory verify: ${describeProblem(answer.status, answer.body)}`);
  }
  const report = answer.body as { checked: number; drifted: Drift[] };
  if (values.json) {
    context.out(JSON.stringify(report));
    return report.drifted.length === 0 ? 0 : 1;
  }
  if (report.drifted.length === 0) {
    context.out(`${report.checked} stock levels checked against the ledger: no drift`);
    return 0;
  }
  context.out(`${report.checked} stock levels checked: ${report.drifted.length} differ from the ledger`);
  context.out(
    "VARIANT                               LOCATION                              ON HAND  LEDGER  RESERVED  ACTIVE  PROBLEMS",
  );
  for (const d of report.drifted) {
    context.out(
      `${d.variantId}  ${d.locationId}  ${String(d.onHand).padStart(7)} ${String(d.ledgerOnHand).padStart(7)} ${String(
        d.reserved,
      ).padStart(9)} ${String(d.activeReserved).padStart(7)}  ${d.problems.join(", ")}`,
    );
  }
  return 1;
}
