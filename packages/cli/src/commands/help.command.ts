import { BACKEND_SERVICES } from "@comptoir/contracts";
import { EVENTS_USAGE } from "./events.command";
import { INVENTORY_USAGE } from "./inventory.command";
import { REPORTING_USAGE } from "./reporting.command";
import { RETAIL_USAGE } from "./retail.command";
import { SEARCH_USAGE } from "./search.command";
import { SECRETS_USAGE } from "./secrets.command";

export const USAGE = `Usage: comptoir <command>

Commands:
  up [--instances <service>=<n>]   start the whole platform: embedded PostgreSQL, every service,
                                   the gateway on PORT (what \`npm start\` runs); Ctrl-C stops it
                                   (comptoir up --help lists its options and environment)
  service <name>                   run one service in the foreground (what a container runs)
  events <command>                 the event backbone: tail, status, dlq list, dlq replay, replay
                                   (comptoir events --help says more)
  inventory verify                 recompute every stock level from the ledger; lists any drift
  retail verify [--store] [--key]  recompute the stores' sales journals (chain, signatures, totals);
                                   names the first broken entry
  reporting rebuild | status       rebuild the reporting read model from the events and swap it
                                   in; how far behind each stream it is
  reporting reconcile --from --to  compare reporting's daily sales with orders' and retail's own
                                   figures; lists every difference
  search rebuild | status          rebuild the search read model from the events and swap it in;
                                   how far behind the events it is
  secrets credential <service>     print a service's (or the gateway's) SERVICE_CREDENTIAL, derived
                                   from identity's INTERNAL_SECRET (for distributed mode)
  help [<command>]                 show this help, or a command's (also: comptoir <command> --help)

.env in the current folder is read when it exists (variables already set win); .env.example
lists every variable.

Services: gateway, ${BACKEND_SERVICES.join(", ")}
`;

export const UP_USAGE = `Usage: comptoir up [--instances <service>=<n>]

Start the whole platform on this machine: embedded PostgreSQL (or DATABASE_URL), every service as
its own process, the gateway on PORT (what \`npm start\` runs). Ctrl-C stops it.

Options:
  --instances <service>=<n>  run n instances of a backend service; repeatable or
                             comma-separated: --instances catalog=3,search=2
  -h, --help                 show this help

Environment (also read from .env in the current folder):
  PORT                   the gateway's public port (default 8080)
  HOST                   where the gateway listens (default 127.0.0.1 in demo mode, whose
                         password is public; 0.0.0.0 otherwise)
  COMPTOIR_DATA          data folder: PostgreSQL, logs, secrets.json (default ./.data)
  DATABASE_URL           use this PostgreSQL server instead of the embedded one; each service
                         gets the database <name>_<service> on it (default name: comptoir)
  <SERVICE>_DATABASE_URL the exact database of one service, e.g. CATALOG_DATABASE_URL
  COMPTOIR_PG_PORT       embedded PostgreSQL port (default: first free from 5433)
  EVENT_LOG_URL          the PostgreSQL event log's database (default: <name>_events on the
                         services' server)
  NATS_URL               events go through NATS JetStream instead of the PostgreSQL event log
  LOG_LEVEL              fatal, error, warn, info (default), debug, trace, silent
  INTERNAL_SECRET        identity's master of the service credentials, and KEYS_SECRET, which
  KEYS_SECRET            encrypts its signing keys (default: the data folder's secrets.json,
                         generated on its first start)
`;

export const SERVICE_USAGE = `Usage: comptoir service <name>

Run one service in the foreground, in this process, configured only by its environment (what a
container runs); SIGTERM drains it. .env in the current folder is read first when it exists
(variables already set win).

Services: gateway, ${BACKEND_SERVICES.join(", ")}
Options:
  -h, --help   show this help
`;

/** The usage of a command that has one of its own, by the command's name. */
export function commandUsage(command: string): string | undefined {
  return COMMAND_USAGES[command];
}

const COMMAND_USAGES: Record<string, string> = {
  up: UP_USAGE,
  service: SERVICE_USAGE,
  events: EVENTS_USAGE,
  inventory: INVENTORY_USAGE,
  reporting: REPORTING_USAGE,
  retail: RETAIL_USAGE,
  search: SEARCH_USAGE,
  secrets: SECRETS_USAGE,
};

/**
 * True when the arguments ask for help: `--help` or `-h` anywhere before a `--`. Checked before a
 * command parses its arguments, so that `comptoir up --help` or `comptoir events tail -h` show the usage
 * instead of a usage error, and never start anything.
 */
export function asksForHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === "--") return false;
    if (arg === "--help" || arg === "-h") return true;
  }
  return false;
}

export function printUsage(stream: NodeJS.WriteStream = process.stdout): void {
  stream.write(USAGE);
}
