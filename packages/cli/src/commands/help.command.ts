import { BACKEND_SERVICES } from "@comptoir/contracts";

export const USAGE = `Usage: comptoir <command>

Commands:
  up [--instances <service>=<n>]   start the whole platform: embedded PostgreSQL, every service,
                                   the gateway on PORT (what \`npm start\` runs); Ctrl-C stops it
  service <name>                   run one service in the foreground (what a container runs)
  events <command>                 the event backbone: tail, status, dlq list, dlq replay, replay
                                   (comptoir events --help says more)
  inventory verify                 recompute every stock level from the ledger; lists any drift
  secrets credential <service>     print a service's (or the gateway's) SERVICE_CREDENTIAL, derived
                                   from identity's INTERNAL_SECRET (for distributed mode)
  help                             show this help

Options of up:
  --instances <service>=<n>        run n instances of a backend service; repeatable or
                                   comma-separated: --instances catalog=3,search=2

Environment of up:
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

Services: gateway, ${BACKEND_SERVICES.join(", ")}
`;

export function printUsage(stream: NodeJS.WriteStream = process.stdout): void {
  stream.write(USAGE);
}
