import { parseArgs } from "node:util";
import type { searchHttp } from "@comptoir/contracts/http";
import { request as undiciRequest } from "undici";
import { UsageError, UserError } from "../errors";
import { AdminClient } from "../events/admin-client";
import { adminToken } from "../events/admin-token";
import { describeProblem } from "../events/format";
import { locateGateway } from "../events/platform-location";
import type { EventsContext } from "./events.command";

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

type RebuildState = searchHttp.RebuildState;

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

export type SearchContext = EventsContext & { terminal?: ProgressTerminal };

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

/** `comptoir search ...`: resolves with the exit code. */
export async function searchCommand(args: string[], context: SearchContext): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    for (const line of SEARCH_USAGE.trimEnd().split("\n")) (command ? context.out : context.err)(line);
    return command ? 0 : 2;
  }
  if (command !== "rebuild" && command !== "status")
    throw new UsageError(`search: unknown command "${command}" (see comptoir search --help)`);
  let values: { url?: string | undefined; json?: boolean | undefined; poll?: string | undefined };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: { url: { type: "string" }, json: { type: "boolean" }, poll: { type: "string" } },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`search ${command}: ${(error as Error).message}`);
  }
  const pollMs = values.poll === undefined ? 250 : Number(values.poll);
  if (!Number.isInteger(pollMs) || pollMs < 10)
    throw new UsageError(`search ${command}: --poll needs milliseconds ≥ 10`);
  const baseUrl = locateGateway(values.url, context.env, context.cwd);
  const token = await adminToken(context.env, context.cwd, baseUrl, context.request);
  const client = new AdminClient({ baseUrl, token, request: context.request });
  return command === "status"
    ? status(client, context, values.json ?? false)
    : rebuild(client, context, { baseUrl, token, json: values.json ?? false, pollMs });
}

async function status(client: AdminClient, context: EventsContext, json: boolean): Promise<number> {
  const answer = await client.get("/api/search/admin/freshness");
  if (answer.status !== 200) throw new UserError(`search status: ${describeProblem(answer.status, answer.body)}`);
  const streams = (answer.body as searchHttp.Freshness).data;
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

async function rebuild(
  client: AdminClient,
  context: SearchContext,
  options: { baseUrl: string; token: string | undefined; json: boolean; pollMs: number },
): Promise<number> {
  const send = context.request ?? undiciRequest;
  let started: { statusCode: number; body: { text(): Promise<string> } };
  try {
    started = await send(`${options.baseUrl.replace(/\/+$/, "")}/api/search/admin/rebuild`, {
      method: "POST",
      headers: {
        accept: "application/json, application/problem+json",
        "content-type": "application/json",
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: "{}",
    });
  } catch (error) {
    throw new UserError(`search rebuild: cannot reach the gateway at ${options.baseUrl}: ${(error as Error).message}`);
  }
  const text = await started.body.text();
  const body: unknown = text ? JSON.parse(text) : null;
  if (started.statusCode !== 202) throw new UserError(`search rebuild: ${describeProblem(started.statusCode, body)}`);
  const progress = options.json ? null : progressWriter(context);
  try {
    for (;;) {
      const answer = await client.get("/api/search/admin/rebuild");
      if (answer.status !== 200) throw new UserError(`search rebuild: ${describeProblem(answer.status, answer.body)}`);
      const state = answer.body as RebuildState;
      progress?.show(state);
      if (state.phase === "done" || state.phase === "failed") {
        progress?.end();
        const seconds = ((Date.parse(state.finishedAt!) - Date.parse(state.startedAt!)) / 1000).toFixed(1);
        if (options.json) context.out(JSON.stringify(state));
        else if (state.phase === "done")
          context.out(
            `search read model rebuilt from ${state.read} events in ${seconds} s and swapped in (${state.caughtUp} applied again after the swap)`,
          );
        else context.out(`search rebuild failed after ${seconds} s: ${state.error}`);
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
function progressWriter(context: SearchContext): { show(state: RebuildState): void; end(): void } {
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
