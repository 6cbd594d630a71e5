import { parseArgs } from "node:util";
import { request as undiciRequest } from "undici";
import { UsageError, UserError } from "../errors";
import { AdminClient } from "../events/admin-client";
import { adminToken } from "../events/admin-token";
import { describeProblem } from "../events/format";
import { locateGateway } from "../events/platform-location";
import type { EventsContext } from "./events.command";

/*
 * `comptoir <service> rebuild | status` for a service's read model built from events (search,
 * reporting): the service's admin endpoints under `/api/<service>/admin` (rebuild, freshness).
 */

/** A rebuild's progress as a service answers it (searchHttp.RebuildState, reportingAdminHttp.RebuildState). */
export interface RebuildState {
  phase: string;
  read: number;
  total: number;
  startedAt: string | null;
  finishedAt: string | null;
  caughtUp: number;
  error: string | null;
}

/** How far behind one stream a read model is (searchHttp.StreamFreshness, reportingAdminHttp.StreamFreshness). */
export interface StreamFreshness {
  stream: string;
  eventsBehind: number;
  lastAppliedAt: string | null;
  secondsBehind: number;
}

/**
 * Where `rebuild` draws its progress bar. On a terminal (`tty`), the bar is redrawn in place (a
 * carriage return, no newline per tick); otherwise (CI logs, a file) one line per phase change is
 * written through `err`. Defaults to the process's stderr, where the bar goes.
 */
export interface ProgressTerminal {
  tty: boolean;
  /** Writes text as is (no newline added). */
  write: (text: string) => void;
  /** The terminal's width, if known: a longer bar would wrap and break the redraw. */
  columns?: number | undefined;
}

export type ReadModelContext = EventsContext & { terminal?: ProgressTerminal };

/** The service whose read model it is: `search` → `/api/search/admin/...`. */
export interface ReadModelService {
  name: string;
}

function processTerminal(): ProgressTerminal {
  return {
    tty: Boolean(process.stderr.isTTY),
    write: (text) => process.stderr.write(text),
    columns: process.stderr.columns,
  };
}

const BAR = 30;

/** `[██████░░░░]  60%  1200/2000 events  replaying` */
export function progressLine(state: RebuildState): string {
  // Before the streams are counted (total 0 while replaying) nothing is done yet; an empty stream is done.
  const ratio = state.total === 0 ? (state.phase === "replaying" ? 0 : 1) : Math.min(1, state.read / state.total);
  const filled = Math.round(ratio * BAR);
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  return `[${"█".repeat(filled)}${"░".repeat(BAR - filled)}] ${percent}  ${state.read}/${state.total} events  ${state.phase.replace("_", " ")}`;
}

interface Options {
  baseUrl: string;
  token: string | undefined;
  client: AdminClient;
  json: boolean;
  pollMs: number;
}

/** Parses `--url`, `--json`, `--poll` and finds the gateway and an admin token. */
async function optionsOf(
  service: ReadModelService,
  command: string,
  args: string[],
  context: EventsContext,
): Promise<Options> {
  let values: { url?: string | undefined; json?: boolean | undefined; poll?: string | undefined };
  try {
    ({ values } = parseArgs({
      args,
      options: { url: { type: "string" }, json: { type: "boolean" }, poll: { type: "string" } },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`${service.name} ${command}: ${(error as Error).message}`);
  }
  const pollMs = values.poll === undefined ? 250 : Number(values.poll);
  if (!Number.isInteger(pollMs) || pollMs < 10)
    throw new UsageError(`${service.name} ${command}: --poll needs milliseconds ≥ 10`);
  const baseUrl = locateGateway(values.url, context.env, context.cwd);
  const token = await adminToken(context.env, context.cwd, baseUrl, context.request);
  const client = new AdminClient({ baseUrl, token, request: context.request });
  return { baseUrl, token, client, json: values.json ?? false, pollMs };
}

/** `comptoir <service> status [--json]`: each stream's lag; resolves with 1 when behind, else 0. */
export async function readModelStatus(
  service: ReadModelService,
  args: string[],
  context: EventsContext,
): Promise<number> {
  const { client, json } = await optionsOf(service, "status", args, context);
  const answer = await client.get(`/api/${service.name}/admin/freshness`);
  if (answer.status !== 200)
    throw new UserError(`${service.name} status: ${describeProblem(answer.status, answer.body)}`);
  const streams = (answer.body as { data: StreamFreshness[] }).data;
  const behind = streams.some((s) => s.eventsBehind > 0);
  if (json) {
    context.out(JSON.stringify({ data: streams }));
    return behind ? 1 : 0;
  }
  context.out("STREAM      EVENTS BEHIND  SECONDS BEHIND  LAST CHANGE APPLIED");
  for (const s of streams) {
    const seconds = s.secondsBehind < 0 ? "?" : s.secondsBehind.toFixed(1);
    context.out(
      `${s.stream.padEnd(10)}  ${String(s.eventsBehind).padStart(13)}  ${seconds.padStart(14)}  ${s.lastAppliedAt ?? "none yet"}`,
    );
  }
  context.out(behind ? "the read model is catching up" : "the read model is up to date");
  return behind ? 1 : 0;
}

/**
 * `comptoir <service> rebuild [--json]`: starts the rebuild, draws its progress until it is swapped in
 * or fails; resolves with 0 when done, 1 when it failed.
 */
export async function rebuildReadModel(
  service: ReadModelService,
  args: string[],
  context: ReadModelContext,
): Promise<number> {
  const options = await optionsOf(service, "rebuild", args, context);
  const what = `${service.name} rebuild`;
  const send = context.request ?? undiciRequest;
  let started: { statusCode: number; body: { text(): Promise<string> } };
  try {
    started = await send(`${options.baseUrl.replace(/\/+$/, "")}/api/${service.name}/admin/rebuild`, {
      method: "POST",
      headers: {
        accept: "application/json, application/problem+json",
        "content-type": "application/json",
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: "{}",
    });
  } catch (error) {
    throw new UserError(`${what}: cannot reach the gateway at ${options.baseUrl}: ${(error as Error).message}`);
  }
  const text = await started.body.text();
  const body: unknown = text ? JSON.parse(text) : null;
  if (started.statusCode !== 202) throw new UserError(`${what}: ${describeProblem(started.statusCode, body)}`);
  const progress = options.json ? null : progressWriter(context);
  try {
    for (;;) {
      const answer = await options.client.get(`/api/${service.name}/admin/rebuild`);
      if (answer.status !== 200) throw new UserError(`${what}: ${describeProblem(answer.status, answer.body)}`);
      const state = answer.body as RebuildState;
      progress?.show(state);
      if (state.phase === "done" || state.phase === "failed") {
        progress?.end();
        const seconds = ((Date.parse(state.finishedAt!) - Date.parse(state.startedAt!)) / 1000).toFixed(1);
        if (options.json) context.out(JSON.stringify(state));
        else if (state.phase === "done")
          context.out(
            `${service.name} read model rebuilt from ${state.read} events in ${seconds} s and swapped in (${state.caughtUp} applied again after the swap)`,
          );
        else context.out(`${what} failed after ${seconds} s: ${state.error}`);
        return state.phase === "done" ? 0 : 1;
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs));
    }
  } finally {
    // An error while the bar is drawn: end its line so the message starts on its own.
    progress?.end();
  }
}

/**
 * The progress bar: on a terminal, redrawn in place whenever it changes (carriage return, clear to the
 * end of the line, no newline until `end`); elsewhere, one line per phase, so a CI log gets a handful
 * of lines rather than one per poll.
 */
function progressWriter(context: ReadModelContext): { show(state: RebuildState): void; end(): void } {
  const terminal = context.terminal ?? processTerminal();
  let drawn = "";
  let phase: string | null = null;
  return {
    show(state) {
      if (!terminal.tty) {
        if (state.phase !== phase) context.err(progressLine(state));
        phase = state.phase;
        return;
      }
      const width = terminal.columns ?? 0;
      const line = width > 1 ? progressLine(state).slice(0, width - 1) : progressLine(state);
      if (line !== drawn) terminal.write(`\r${line}\x1b[K`);
      drawn = line;
    },
    end() {
      if (terminal.tty && drawn !== "") terminal.write("\n");
      drawn = "";
    },
  };
}
