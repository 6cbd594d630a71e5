import { UsageError } from "../errors";
import { type ReadModelContext, readModelStatus, rebuildReadModel } from "./read-model";

export const SEARCH_USAGE = `Usage: comptoir search <command>

Commands:
  rebuild [--json]  replay catalog's and inventory's events from the first into a fresh copy of
                    the search read model (with a progress bar), then swap it in: searches keep
                    answering from the current model until the swap, never an empty result;
                    exit code 1 when it fails
  status [--json]   how far behind catalog's and inventory's streams the read model is: per
                    stream, events not applied yet and seconds behind; exit code 1 when behind

Options:
  --url <url>       the gateway (default: COMPTOIR_URL, else the running platform's, else
                    http://127.0.0.1:8080). Needs an admin: COMPTOIR_TOKEN, or the demo admin
                    of a platform running in demo mode from this data folder.
  --poll <ms>       rebuild: how often to ask for progress (default 250)
`;

export type { ProgressTerminal } from "./read-model";
export { progressLine } from "./read-model";
export type SearchContext = ReadModelContext;

const SEARCH = { name: "search" };

/** `comptoir search ...`: resolves with the exit code. */
export async function searchCommand(args: string[], context: SearchContext): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case undefined:
    case "help":
    case "--help":
    case "-h":
      for (const line of SEARCH_USAGE.trimEnd().split("\n")) (command ? context.out : context.err)(line);
      return command ? 0 : 2;
    case "rebuild":
      return rebuildReadModel(SEARCH, rest, context);
    case "status":
      return readModelStatus(SEARCH, rest, context);
    default:
      throw new UsageError(`search: unknown command "${command}" (see comptoir search --help)`);
  }
}
