import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { reportingAdminHttp } from "@comptoir/contracts/http";
import { afterEach, describe, expect, it } from "vitest";
import { type ReportingContext, reportingCommand } from "../src/commands/reporting.command";
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
  const ctx: ReportingContext = {
    env: { COMPTOIR_URL: url, COMPTOIR_TOKEN: "admin-token" },
    cwd: "/nonexistent",
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    terminal: { tty, write: (text) => drawn.push(text), columns: 120 },
  };
  return { ctx, out, err, drawn };
}

const state = (
  phase: reportingAdminHttp.RebuildPhase,
  read: number,
  extra: object = {},
): reportingAdminHttp.RebuildState => ({
  phase,
  read,
  total: 1000,
  caughtUp: 0,
  startedAt: "2026-01-01T10:00:00.000Z",
  finishedAt: phase === "done" || phase === "failed" ? "2026-01-01T10:00:04.000Z" : null,
  error: null,
  ...extra,
});

describe("comptoir reporting rebuild", () => {
  it("starts the rebuild on reporting's admin endpoint, logs one progress line per phase until it is swapped in, and exits 0", async () => {
    const gw = await gateway({
      "POST /api/reporting/admin/rebuild": [{ status: 202, body: state("replaying", 0) }],
      "GET /api/reporting/admin/rebuild": [
        { status: 200, body: state("replaying", 500) },
        { status: 200, body: state("swapping", 1000) },
        { status: 200, body: state("catching_up", 1000) },
        { status: 200, body: state("done", 1000, { caughtUp: 12 }) },
      ],
    });
    const { ctx, out, err } = context(gw.url);
    expect(await reportingCommand(["rebuild", "--poll", "10"], ctx)).toBe(0);
    expect(err).toEqual([
      `[${"█".repeat(15)}${"░".repeat(15)}]  50%  500/1000 events  replaying`,
      `[${"█".repeat(30)}] 100%  1000/1000 events  swapping`,
      `[${"█".repeat(30)}] 100%  1000/1000 events  catching up`,
      `[${"█".repeat(30)}] 100%  1000/1000 events  done`,
    ]);
    expect(out).toEqual([
      "reporting read model rebuilt from 1000 events in 4.0 s and swapped in (12 applied again after the swap)",
    ]);
    expect(gw.seen[0]).toBe("POST /api/reporting/admin/rebuild Bearer admin-token");
  });

  it("on a terminal, redraws the bar in place and ends its line before the result; --json prints the state", async () => {
    const gw = await gateway({
      "POST /api/reporting/admin/rebuild": [{ status: 202, body: state("replaying", 0) }],
      "GET /api/reporting/admin/rebuild": [
        { status: 200, body: state("replaying", 250) },
        { status: 200, body: state("done", 1000) },
      ],
    });
    const terminal = context(gw.url, true);
    expect(await reportingCommand(["rebuild", "--poll", "10"], terminal.ctx)).toBe(0);
    expect(terminal.drawn).toEqual([
      `\r[${"█".repeat(8)}${"░".repeat(22)}]  25%  250/1000 events  replaying\x1b[K`,
      `\r[${"█".repeat(30)}] 100%  1000/1000 events  done\x1b[K`,
      "\n",
    ]);
    const json = context(gw.url, true);
    expect(await reportingCommand(["rebuild", "--json", "--poll", "10"], json.ctx)).toBe(0);
    expect(json.drawn).toEqual([]);
    expect(JSON.parse(json.out[0]!)).toMatchObject({ phase: "done", read: 1000 });
  });

  it("exits 1 with the reason when the rebuild fails, and says a running one (409) as a user error", async () => {
    const gw = await gateway({
      "POST /api/reporting/admin/rebuild": [
        { status: 202, body: state("replaying", 0) },
        {
          status: 409,
          body: { code: "rebuild_in_progress", title: "Conflict", status: 409, detail: "A rebuild is running." },
        },
      ],
      "GET /api/reporting/admin/rebuild": [{ status: 200, body: state("failed", 10, { error: "disk full" }) }],
    });
    const first = context(gw.url);
    expect(await reportingCommand(["rebuild", "--poll", "10"], first.ctx)).toBe(1);
    expect(first.out).toEqual(["reporting rebuild failed after 4.0 s: disk full"]);
    await expect(reportingCommand(["rebuild"], context(gw.url).ctx)).rejects.toThrow(UserError);
  });
});

describe("comptoir reporting status", () => {
  it("lists each stream's lag and exits 0 when up to date, 1 when behind", async () => {
    const upToDate = {
      data: [
        { stream: "orders", eventsBehind: 0, lastAppliedAt: "2026-01-01T10:00:00.000Z", secondsBehind: 0 },
        { stream: "supply", eventsBehind: 0, lastAppliedAt: null, secondsBehind: 0 },
      ],
    };
    const behind = { data: [{ ...upToDate.data[0], eventsBehind: 40, secondsBehind: 12.5 }, upToDate.data[1]] };
    const gw = await gateway({
      "GET /api/reporting/admin/freshness": [
        { status: 200, body: upToDate },
        { status: 200, body: behind },
      ],
    });
    const first = context(gw.url);
    expect(await reportingCommand(["status"], first.ctx)).toBe(0);
    expect(first.out).toEqual([
      "STREAM      EVENTS BEHIND  SECONDS BEHIND  LAST CHANGE APPLIED",
      "orders                  0             0.0  2026-01-01T10:00:00.000Z",
      "supply                  0             0.0  none yet",
      "the read model is up to date",
    ]);
    const second = context(gw.url);
    expect(await reportingCommand(["status", "--json"], second.ctx)).toBe(1);
    expect(JSON.parse(second.out[0]!)).toEqual(behind);
  });

  it("rejects an unknown command or option as a usage error, and prints its help", async () => {
    const { ctx, out, err } = context("http://127.0.0.1:9");
    await expect(reportingCommand(["rebuilt"], ctx)).rejects.toThrow(UsageError);
    await expect(reportingCommand(["status", "--fast"], ctx)).rejects.toThrow(UsageError);
    expect(await reportingCommand(["--help"], ctx)).toBe(0);
    expect(out[0]).toBe("Usage: comptoir reporting <command>");
    expect(await reportingCommand([], ctx)).toBe(2);
    expect(err[0]).toBe("Usage: comptoir reporting <command>");
  });
});
