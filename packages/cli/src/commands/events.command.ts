import { parseArgs } from "node:util";
import { BACKEND_SERVICES, type BackendService, isBackendService } from "@comptoir/contracts";
import type { EventTransport } from "@comptoir/events";
import { UsageError, UserError } from "../errors";
import { AdminClient, type AdminAnswer, type RequestFunction } from "../events/admin-client";
import { adminToken } from "../events/admin-token";
import {
  type DeadLetterRow,
  describeProblem,
  type EventsStatus,
  formatDeadLetters,
  formatReplayOutcomes,
  formatStatus,
  formatTailLine,
  matchesType,
  type ReplayOutcome,
  type TailedEvent,
  transportLabel,
} from "../events/format";
import { locateGateway, locateTransport, type TransportLocation } from "../events/platform-location";

export const EVENTS_USAGE = `Usage: comptoir events <command>

Commands:
  tail [--type <type>] [--json]           print every new event as it is appended, until Ctrl-C;
                                          --type keeps one type or a prefix (catalog, catalog.product),
                                          repeatable; --json prints each envelope as one JSON line
  status [--service <s>]                  outbox backlog, consumer groups with their lag, dead letters
  dlq list [--service <s>] [--group <g>]  the dead letters: events that failed every attempt
  dlq replay <id> --service <s>           hand one dead letter to its handler again
  dlq replay --all [--service <s>] [--group <g>]
                                          replay every pending dead letter
  replay --group <g> --from-start [--service <s>]
                                          rewind a consumer group to the first event and rebuild its
                                          read model (the service defaults to the group's name)

Options of status, dlq and replay:
  --url <url>     the gateway (default: COMPTOIR_URL, else the running platform's, else
                  http://127.0.0.1:8080)
  The endpoints need an admin: COMPTOIR_TOKEN is sent as a bearer token; without it, a platform
  running in demo mode from this data folder is logged in to as admin@demo.comptoir.dev.
  Without --service, every service is asked; those without events are skipped.

tail reads the bus itself: NATS_URL if set, else EVENT_LOG_URL, else the running platform's
(runtime.json in COMPTOIR_DATA, default ./.data).
`;

type AdminOptions = { url?: string | undefined };

export type EventsArguments =
  | { command: "help" }
  | { command: "tail"; types: string[]; json: boolean }
  | ({ command: "status"; service?: BackendService | undefined } & AdminOptions)
  | ({ command: "dlq-list"; service?: BackendService | undefined; group?: string | undefined } & AdminOptions)
  | ({ command: "dlq-replay"; id: string; service: BackendService } & AdminOptions)
  | ({ command: "dlq-replay-all"; service?: BackendService | undefined; group?: string | undefined } & AdminOptions)
  | ({ command: "replay"; service: BackendService; group: string } & AdminOptions);

const GROUP_PATTERN = /^[a-z][a-z0-9-]*$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z0-9_]*){0,2}$/;

type OptionSpec = Record<string, { type: "string" | "boolean"; multiple?: boolean }>;

/** node:util parseArgs with the `comptoir events <name>: ...` usage errors. */
function parse<T extends OptionSpec>(name: string, args: string[], options: T, maxPositionals = 0) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException;
    if (failure.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const option = /'([^']+)'/.exec(failure.message)?.[1] ?? "";
      throw new UsageError(`events ${name}: unknown option ${option} (see comptoir events --help)`);
    }
    if (failure.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      const option = /'(--[a-z-]+)/.exec(failure.message)?.[1] ?? "an option";
      throw new UsageError(
        `events ${name}: ${option} ${options[option.slice(2)]?.type === "boolean" ? "takes no value" : "needs a value"}`,
      );
    }
    throw new UsageError(`events ${name}: ${failure.message}`);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(
      `events ${name}: unexpected argument "${parsed.positionals[maxPositionals]}" (see comptoir events --help)`,
    );
  }
  return parsed;
}

function service(name: string, raw: string | undefined): BackendService | undefined {
  if (raw === undefined) return undefined;
  if (!isBackendService(raw)) {
    throw new UsageError(`events ${name}: unknown service "${raw}" — one of: ${BACKEND_SERVICES.join(", ")}`);
  }
  return raw;
}

function group(name: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!GROUP_PATTERN.test(raw)) {
    throw new UsageError(`events ${name}: "${raw}" is not a consumer group name (lowercase letters, digits, -)`);
  }
  return raw;
}

const ADMIN = { url: { type: "string" } } as const;

/** `comptoir events ...` arguments; anything wrong is a UsageError (exit code 2). */
export function parseEventsArguments(args: string[]): EventsArguments {
  const [command, ...rest] = args;
  switch (command) {
    case "help":
    case "--help":
    case "-h":
      return { command: "help" };
    case "tail": {
      const { values } = parse("tail", rest, {
        type: { type: "string", multiple: true },
        json: { type: "boolean" },
      });
      const types = values.type ?? [];
      for (const type of types) {
        if (!TYPE_PATTERN.test(type)) {
          throw new UsageError(
            `events tail: --type "${type}" is not an event type or prefix (catalog, catalog.product, catalog.product.created)`,
          );
        }
      }
      return { command: "tail", types, json: values.json ?? false };
    }
    case "status": {
      const { values } = parse("status", rest, { ...ADMIN, service: { type: "string" } });
      return { command: "status", service: service("status", values.service), url: values.url };
    }
    case "dlq":
      return parseDlq(rest);
    case "replay": {
      const { values } = parse("replay", rest, {
        ...ADMIN,
        service: { type: "string" },
        group: { type: "string" },
        "from-start": { type: "boolean" },
      });
      if (!values["from-start"]) {
        throw new UsageError(
          "events replay: --from-start is required (replay rewinds a consumer group to the first event and rebuilds its read model)",
        );
      }
      const name = group("replay", values.group);
      let owner = service("replay", values.service);
      if (!owner) {
        if (!name)
          throw new UsageError("events replay: which consumer group? --group <group> (or --service <service>)");
        if (!isBackendService(name)) {
          throw new UsageError(`events replay: group "${name}" is not a service's name; say which with --service`);
        }
        owner = name;
      }
      return { command: "replay", service: owner, group: name ?? owner, url: values.url };
    }
    case undefined:
      throw new UsageError(
        "events: which command? tail, status, dlq list, dlq replay or replay (see comptoir events --help)",
      );
    default:
      throw new UsageError(`events: unknown command "${command}" (see comptoir events --help)`);
  }
}

function parseDlq(args: string[]): EventsArguments {
  const [command, ...rest] = args;
  if (command === "list") {
    const { values } = parse("dlq list", rest, { ...ADMIN, service: { type: "string" }, group: { type: "string" } });
    return {
      command: "dlq-list",
      service: service("dlq list", values.service),
      group: group("dlq list", values.group),
      url: values.url,
    };
  }
  if (command === "replay") {
    const { values, positionals } = parse(
      "dlq replay",
      rest,
      { ...ADMIN, service: { type: "string" }, group: { type: "string" }, all: { type: "boolean" } },
      1,
    );
    const [id] = positionals;
    const owner = service("dlq replay", values.service);
    if (values.all) {
      if (id) throw new UsageError("events dlq replay: give a dead letter's id or --all, not both");
      return { command: "dlq-replay-all", service: owner, group: group("dlq replay", values.group), url: values.url };
    }
    if (!id) throw new UsageError("events dlq replay: which dead letter? give its id (see events dlq list), or --all");
    if (!UUID_PATTERN.test(id)) {
      throw new UsageError(`events dlq replay: "${id}" is not a dead letter id (the ID column of events dlq list)`);
    }
    if (values.group) throw new UsageError("events dlq replay: --group goes with --all");
    if (!owner) {
      throw new UsageError(
        "events dlq replay: --service is required with an id (the SERVICE column of events dlq list)",
      );
    }
    return { command: "dlq-replay", id, service: owner, url: values.url };
  }
  if (command === undefined) throw new UsageError("events dlq: list or replay? (see comptoir events --help)");
  throw new UsageError(`events dlq: unknown command "${command}" (see comptoir events --help)`);
}

export interface EventsContext {
  env: Record<string, string | undefined>;
  cwd: string;
  /** Writes one line of results. */
  out: (line: string) => void;
  /** Writes one line of diagnostics. */
  err: (line: string) => void;
  /** For tests: the HTTP client. */
  request?: RequestFunction;
  /** For tests: stops `tail` (otherwise SIGINT/SIGTERM do). */
  signal?: AbortSignal;
}

export function processContext(): EventsContext {
  // `comptoir events tail | head`: the reader went away, which is not an error.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
  return {
    env: process.env,
    cwd: process.cwd(),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
}

/** `comptoir events ...`: resolves with the exit code. */
export async function eventsCommand(args: string[], context: EventsContext = processContext()): Promise<number> {
  const parsed = parseEventsArguments(args);
  if (parsed.command === "help") {
    for (const line of EVENTS_USAGE.trimEnd().split("\n")) context.out(line);
    return 0;
  }
  if (parsed.command === "tail") return tail(parsed, context);
  const baseUrl = locateGateway(parsed.url, context.env, context.cwd);
  const client = new AdminClient({
    baseUrl,
    token: await adminToken(context.env, context.cwd, baseUrl, context.request),
    request: context.request,
  });
  switch (parsed.command) {
    case "status":
      return status(client, parsed.service, context);
    case "dlq-list":
      return listDeadLetters(client, parsed.service, parsed.group, context);
    case "dlq-replay":
      return replayDeadLetter(client, parsed.service, parsed.id, context);
    case "dlq-replay-all":
      return replayDeadLetters(client, parsed.service, parsed.group, context);
    case "replay":
      return replayGroup(client, parsed.service, parsed.group, context);
  }
}

type Outcome<T> =
  | { service: BackendService; kind: "ok"; value: T }
  | { service: BackendService; kind: "absent" }
  | { service: BackendService; kind: "failed"; message: string };

/**
 * Asks each service (or the one given) concurrently. A 404 means "no events here": skipped when
 * going over every service, a failure when the user named the service.
 */
async function eachService<T>(
  only: BackendService | undefined,
  ask: (service: BackendService) => Promise<{ ok: true; value: T } | { ok: false; answer: AdminAnswer }>,
): Promise<Outcome<T>[]> {
  const services = only ? [only] : [...BACKEND_SERVICES];
  return Promise.all(
    services.map(async (service): Promise<Outcome<T>> => {
      const result = await ask(service);
      if (result.ok) return { service, kind: "ok", value: result.value };
      const { status, body } = result.answer;
      if (status === 404 && !only) return { service, kind: "absent" };
      const prefix =
        status === 404
          ? `${service} has no events admin here (${describeProblem(status, body)})`
          : `${service}: ${describeProblem(status, body)}`;
      return { service, kind: "failed", message: prefix };
    }),
  );
}

function reportFailures(outcomes: Outcome<unknown>[], context: EventsContext): number {
  const failures = outcomes.flatMap((o) => (o.kind === "failed" ? [o.message] : []));
  for (const failure of failures) context.err(`comptoir: ${failure}`);
  return failures.length > 0 ? 1 : 0;
}

async function status(client: AdminClient, only: BackendService | undefined, context: EventsContext): Promise<number> {
  const outcomes = await eachService<EventsStatus>(only, async (service) => {
    const answer = await client.status(service);
    return answer.status === 200 ? { ok: true, value: answer.body as EventsStatus } : { ok: false, answer };
  });
  const statuses = outcomes.flatMap((o) =>
    o.kind === "ok" ? [{ ...o.value, service: o.value.service ?? o.service }] : [],
  );
  const absent = outcomes.flatMap((o) => (o.kind === "absent" ? [o.service] : []));
  if (statuses.length > 0 || outcomes.every((o) => o.kind !== "failed")) {
    for (const line of formatStatus(statuses, absent)) context.out(line);
  }
  return reportFailures(outcomes, context);
}

/** At most this many dead letters are listed per service (two pages). */
const DEAD_LETTER_PAGE = 500;
const DEAD_LETTER_PAGES = 2;

async function listDeadLetters(
  client: AdminClient,
  only: BackendService | undefined,
  groupName: string | undefined,
  context: EventsContext,
): Promise<number> {
  const outcomes = await eachService<{ data: DeadLetterRow[]; total: number }>(only, async (service) => {
    const data: DeadLetterRow[] = [];
    let total = 0;
    for (let page = 1; page <= DEAD_LETTER_PAGES; page++) {
      const answer = await client.deadLetters(service, { group: groupName, page, limit: DEAD_LETTER_PAGE });
      if (answer.status !== 200) return { ok: false, answer };
      const body = answer.body as { data: DeadLetterRow[]; pagination: { total: number } };
      data.push(...body.data);
      total = body.pagination.total;
      if (body.data.length < DEAD_LETTER_PAGE || data.length >= total) break;
    }
    return { ok: true, value: { data, total } };
  });
  const found = outcomes.flatMap((o) => (o.kind === "ok" ? [{ service: o.service, ...o.value }] : []));
  if (found.length > 0 || outcomes.every((o) => o.kind !== "failed")) {
    for (const line of formatDeadLetters(found)) context.out(line);
  }
  return reportFailures(outcomes, context);
}

async function replayDeadLetter(
  client: AdminClient,
  service: BackendService,
  id: string,
  context: EventsContext,
): Promise<number> {
  const answer = await client.replayDeadLetter(service, id);
  if (answer.status !== 200) {
    throw new UserError(`${service}: dead letter ${id} not replayed: ${describeProblem(answer.status, answer.body)}`);
  }
  const { outcome } = answer.body as ReplayOutcome;
  context.out(
    outcome === "already_replayed"
      ? `dead letter ${id} (${service}) was already replayed`
      : `dead letter ${id} replayed by ${service}: ${outcome}`,
  );
  return 0;
}

async function replayDeadLetters(
  client: AdminClient,
  only: BackendService | undefined,
  groupName: string | undefined,
  context: EventsContext,
): Promise<number> {
  const outcomes = await eachService<ReplayOutcome[]>(only, async (service) => {
    const answer = await client.replayDeadLetters(service, groupName);
    return answer.status === 200
      ? { ok: true, value: (answer.body as { data: ReplayOutcome[] }).data }
      : { ok: false, answer };
  });
  const replayed = outcomes.flatMap((o) => (o.kind === "ok" ? [{ service: o.service, data: o.value }] : []));
  const { lines, failed } = formatReplayOutcomes(replayed);
  for (const line of lines) context.out(line);
  const failures = reportFailures(outcomes, context);
  if (failed > 0)
    context.err(`comptoir: ${failed} dead letter${failed === 1 ? "" : "s"} failed again; see the ERROR column`);
  return failures || (failed > 0 ? 1 : 0);
}

async function replayGroup(
  client: AdminClient,
  service: BackendService,
  groupName: string,
  context: EventsContext,
): Promise<number> {
  const answer = await client.replayGroup(service, groupName);
  if (answer.status !== 200) {
    throw new UserError(
      `${service}: consumer group ${groupName} not replayed: ${describeProblem(answer.status, answer.body)}`,
    );
  }
  const { streams } = answer.body as { group: string; streams: string[] };
  const from = streams.length > 0 ? ` of ${streams.join(", ")}` : "";
  context.out(
    `${service}: consumer group ${groupName} rewound to the first event${from}; its read model is being rebuilt`,
  );
  context.out("follow its lag with: comptoir events status --service " + service);
  return 0;
}

/** Pino lines from the transport (connection retries) as `comptoir: warning: …` on stderr. */
function warningsTo(err: (line: string) => void) {
  return {
    write(line: string) {
      let message = line.trim();
      try {
        const entry = JSON.parse(line) as { msg?: string };
        if (entry.msg) message = entry.msg;
      } catch {
        // not JSON: print as is
      }
      err(`comptoir: warning: ${message}`);
    },
  };
}

/** The event bus at `location` (its connection retries as warnings on stderr); `name` names its connections. */
export async function openTransport(
  location: TransportLocation,
  context: EventsContext,
  name = `comptoir-events-tail-${process.pid}`,
): Promise<EventTransport> {
  // Loaded on demand: `comptoir up` does not need the platform's code.
  const [{ createLogger }, { createTransport }] = await Promise.all([
    import("@comptoir/platform"),
    import("@comptoir/events"),
  ]);
  const logger = createLogger({
    service: "comptoir-events",
    instance: name,
    level: "warn",
    destination: warningsTo(context.err),
  });
  try {
    return await createTransport({
      natsUrl: location.natsUrl,
      eventLogUrl: location.eventLogUrl,
      prefix: location.prefix,
      logger,
      name,
    });
  } catch (error) {
    throw new UserError(`cannot open the event bus (from ${location.from}): ${(error as Error).message}`);
  }
}

async function tail(options: { types: string[]; json: boolean }, context: EventsContext): Promise<number> {
  const location = locateTransport(context.env, context.cwd);
  const transport = await openTransport(location, context);
  const controller = new AbortController();
  const stopSignals: NodeJS.Signals[] = ["SIGINT", "SIGTERM"];
  let signalled = 0;
  const onSignal = () => {
    // A second Ctrl-C does not wait for the transport to close.
    if (++signalled > 1) process.exit(130);
    controller.abort();
  };
  if (context.signal) context.signal.addEventListener("abort", () => controller.abort(), { once: true });
  else for (const signal of stopSignals) process.on(signal, onSignal);

  const filter = options.types.length > 0 ? ` (types: ${options.types.join(", ")})` : "";
  context.err(`following ${transportLabel(transport)}${filter}; Ctrl-C to stop`);
  let failure: unknown;
  try {
    for await (const envelope of transport.tail(controller.signal)) {
      if (!matchesType(envelope.type, options.types)) continue;
      context.out(options.json ? JSON.stringify(envelope) : formatTailLine(envelope as TailedEvent));
    }
  } catch (error) {
    failure = error;
  } finally {
    if (!context.signal) for (const signal of stopSignals) process.off(signal, onSignal);
    await transport.close().catch(() => {});
  }
  if (failure && !controller.signal.aborted)
    throw new UserError(`the event tail stopped: ${(failure as Error).message}`);
  if (!controller.signal.aborted) throw new UserError("the event tail stopped: the connection to the event bus closed");
  return 0;
}
