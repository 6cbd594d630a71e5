import { UsageError } from "../errors";
import { type ReadModelContext, readModelStatus, rebuildReadModel } from "./read-model";
import { RECONCILE_COMMAND_USAGE, RECONCILE_OPTIONS_USAGE, reconcile } from "./reporting-reconcile";
import { SEED_HISTORY_USAGE_LINES, seedHistoryCommand } from "./reporting-seed-history";

export const REPORTING_USAGE = `Usage: comptoir reporting <command>

Commands:
  rebuild [--json]  replay every stream reporting reads (cart, catalog, inventory, orders, retail,
                    supply) from the first event into a fresh copy of the reporting read model
                    (with a progress bar), then swap it in: reports keep answering from the current
                    model until the swap, never empty, and count each event once;
                    exit code 1 when it fails
  status [--json]   how far behind each of those streams the read model is: events not applied
                    yet and seconds behind; exit code 1 when behind
${RECONCILE_COMMAND_USAGE}
${SEED_HISTORY_USAGE_LINES}

Options:
  --url <url>       the gateway (default: COMPTOIR_URL, else the running platform's, else
                    http://127.0.0.1:8080). Needs an admin: COMPTOIR_TOKEN, or the demo admin
                    of a platform running in demo mode from this data folder.
  --poll <ms>       rebuild: how often to ask for progress (default 250)
${RECONCILE_OPTIONS_USAGE}
  --json            print the result as JSON
  --years <n>, --lines <n>, --seed <n>
                    seed-history: how many years back from yesterday, sale lines in all (exactly),
                    the seed (the same seed gives the same events, ids included)
  --generated-catalog
                    seed-history: sell generated products instead of reading the catalog
`;

export type ReportingContext = ReadModelContext;

const REPORTING = { name: "reporting" };

/** `comptoir reporting ...`: resolves with the exit code. One case per command. */
export async function reportingCommand(args: string[], context: ReportingContext): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case undefined:
    case "help":
    case "--help":
    case "-h":
      for (const line of REPORTING_USAGE.trimEnd().split("\n")) (command ? context.out : context.err)(line);
      return command ? 0 : 2;
    case "rebuild":
      return rebuildReadModel(REPORTING, rest, context);
    case "status":
      return readModelStatus(REPORTING, rest, context);
    case "reconcile":
      return reconcile(rest, context);
    case "seed-history":
      return seedHistoryCommand(rest, context);
    default:
      throw new UsageError(`reporting: unknown command "${command}" (see comptoir reporting --help)`);
  }
}
