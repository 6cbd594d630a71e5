import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { searchHttp } from "@comptoir/contracts/http";
import { afterEach, describe, expect, it } from "vitest";
import { progressLine, type SearchContext, searchCommand } from "../src/commands/search.command";
import { UsageError, UserError } from "../src/errors";

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

type Answer = { status: number; body: unknown };

/** A gateway stand-in: each request gets the next answer its route has (the last one repeats). */
async function gateway(routes: Record<string, Answer[]>): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  server = createServer((req, res) => {
    const key = `${req.method} ${req.url}`;
    seen.push(`${key} ${req.headers.authorization ?? "-"}`);
    const answers = routes[key] ?? [{ status: 404, body: { code: "not_found", title: "Not found", status: 404 } }];
    const answer = answers.length > 1 ? answers.shift()! : answers[0]!;
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

/** Not a terminal unless `tty`: then what the bar writes in place is in `drawn`. */
function context(url: string, tty = false) {
  const out: string[] = [];
  const err: string[] = [];
  const drawn: string[] = [];
  const ctx: SearchContext = {
    env: { COMPTOIR_URL: url, COMPTOIR_TOKEN: "admin-token" },
    cwd: "/nonexistent",
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    terminal: { tty, write: (text) => drawn.push(text), columns: 120 },
  };
  return { ctx, out, err, drawn };
}

const state = (phase: searchHttp.RebuildPhase, read: number, extra: object = {}): searchHttp.RebuildState => ({
  phase,
  read,
  total: 400,
  caughtUp: 0,
  startedAt: "2026-01-01T10:00:00.000Z",
  finishedAt: phase === "done" || phase === "failed" ? "2026-01-01T10:00:02.500Z" : null,
  error: null,
  ...extra,
});

describe("comptoir search rebuild", () => {
  it("starts the rebuild, logs one progress line per phase (not a terminal) until it is swapped in, and exits 0", async () => {
    const gw = await gateway({
      "POST /api/search/admin/rebuild": [{ status: 202, body: state("replaying", 0) }],
      "GET /api/search/admin/rebuild": [
        { status: 200, body: state("replaying", 100) },
        { status: 200, body: state("replaying", 300) },
        { status: 200, body: state("indexing", 400) },
        { status: 200, body: state("done", 400, { caughtUp: 3 }) },
      ],
    });
    const { ctx, out, err } = context(gw.url);
    expect(await searchCommand(["rebuild", "--poll", "10"], ctx)).toBe(0);
    expect(err).toEqual([
      `[${"█".repeat(8)}${"░".repeat(22)}]  25%  100/400 events  replaying`,
      `[${"█".repeat(30)}] 100%  400/400 events  indexing`,
      `[${"█".repeat(30)}] 100%  400/400 events  done`,
    ]);
    expect(out).toEqual([
      "search read model rebuilt from 400 events in 2.5 s and swapped in (3 applied again after the swap)",
    ]);
    expect(gw.seen[0]).toBe("POST /api/search/admin/rebuild Bearer admin-token");
  });

  it("on a terminal, redraws the bar in place (no newline per tick) and ends its line before the result", async () => {
    const gw = await gateway({
      "POST /api/search/admin/rebuild": [{ status: 202, body: state("replaying", 0) }],
      "GET /api/search/admin/rebuild": [
        { status: 200, body: state("replaying", 100) },
        { status: 200, body: state("replaying", 100) },
        { status: 200, body: state("replaying", 200) },
        { status: 200, body: state("done", 400) },
      ],
    });
    const { ctx, out, err, drawn } = context(gw.url, true);
    expect(await searchCommand(["rebuild", "--poll", "10"], ctx)).toBe(0);
    expect(err).toEqual([]);
    expect(drawn).toEqual([
      `\r[${"█".repeat(8)}${"░".repeat(22)}]  25%  100/400 events  replaying\x1b[K`,
      `\r[${"█".repeat(15)}${"░".repeat(15)}]  50%  200/400 events  replaying\x1b[K`,
      `\r[${"█".repeat(30)}] 100%  400/400 events  done\x1b[K`,
      "\n",
    ]);
    expect(out).toHaveLength(1);
  });

  it("exits 1 with the reason when the rebuild fails", async () => {
    const gw = await gateway({
      "POST /api/search/admin/rebuild": [{ status: 202, body: state("replaying", 0) }],
      "GET /api/search/admin/rebuild": [{ status: 200, body: state("failed", 10, { error: "disk full" }) }],
    });
    const { ctx, out } = context(gw.url);
    expect(await searchCommand(["rebuild", "--poll", "10"], ctx)).toBe(1);
    expect(out).toEqual(["search rebuild failed after 2.5 s: disk full"]);
  });

  it("says a rebuild is already running (409) as a user error", async () => {
    const gw = await gateway({
      "POST /api/search/admin/rebuild": [
        {
          status: 409,
          body: { code: "rebuild_in_progress", title: "Conflict", status: 409, detail: "A rebuild is running." },
        },
      ],
    });
    const { ctx } = context(gw.url);
    await expect(searchCommand(["rebuild"], ctx)).rejects.toThrow(UserError);
  });

  it("draws nothing done before the streams are counted, and an empty stream as complete", () => {
    expect(progressLine(state("replaying", 0, { total: 0 }))).toBe(`[${"░".repeat(30)}]   0%  0/0 events  replaying`);
    expect(progressLine(state("catching_up", 0, { total: 0 }))).toBe(
      `[${"█".repeat(30)}] 100%  0/0 events  catching up`,
    );
  });
});

describe("comptoir search status", () => {
  it("lists each stream's lag and exits 0 when up to date, 1 when behind", async () => {
    const upToDate = {
      data: [
        { stream: "catalog", eventsBehind: 0, lastAppliedAt: "2026-01-01T10:00:00.000Z", secondsBehind: 0 },
        { stream: "inventory", eventsBehind: 0, lastAppliedAt: null, secondsBehind: 0 },
      ],
    };
    const behind = { data: [{ ...upToDate.data[0], eventsBehind: 12, secondsBehind: 3.25 }, upToDate.data[1]] };
    const gw = await gateway({
      "GET /api/search/admin/freshness": [
        { status: 200, body: upToDate },
        { status: 200, body: behind },
      ],
    });
    const first = context(gw.url);
    expect(await searchCommand(["status"], first.ctx)).toBe(0);
    expect(first.out).toEqual([
      "STREAM      EVENTS BEHIND  SECONDS BEHIND  LAST CHANGE APPLIED",
      "catalog                 0             0.0  2026-01-01T10:00:00.000Z",
      "inventory               0             0.0  none yet",
      "the read model is up to date",
    ]);
    const second = context(gw.url);
    expect(await searchCommand(["status", "--json"], second.ctx)).toBe(1);
    expect(JSON.parse(second.out[0]!)).toEqual(behind);
  });

  it("rejects an unknown command or option as a usage error, and prints its help", async () => {
    const { ctx, out } = context("http://127.0.0.1:9");
    await expect(searchCommand(["reindex"], ctx)).rejects.toThrow(UsageError);
    await expect(searchCommand(["status", "--fast"], ctx)).rejects.toThrow(UsageError);
    expect(await searchCommand(["--help"], ctx)).toBe(0);
    expect(out[0]).toBe("Usage: comptoir search <command>");
  });
});
