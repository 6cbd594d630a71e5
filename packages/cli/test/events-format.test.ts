import { describe, expect, it } from "vitest";
import {
  type DeadLetterRow,
  describeProblem,
  type EventsStatus,
  firstLine,
  formatDeadLetters,
  formatReplayOutcomes,
  formatStatus,
  formatTailLine,
  matchesType,
  shortTime,
  table,
} from "../src/events/format";

const catalogStatus: EventsStatus = {
  service: "catalog",
  instance: "catalog-1",
  transport: { kind: "postgres", description: "postgres://postgres:***@127.0.0.1:5433/comptoir_events" },
  outbox: { unsent: 2, sentRetained: 40, oldestUnsentSeconds: 3.4 },
  groups: [],
  deadLetters: [],
};

const searchStatus: EventsStatus = {
  service: "search",
  instance: "search-1",
  transport: { kind: "postgres", description: "postgres://postgres:***@127.0.0.1:5433/comptoir_events" },
  outbox: { unsent: 0, sentRetained: 0, oldestUnsentSeconds: 0 },
  groups: [
    {
      group: "search",
      types: ["catalog.product.created", "inventory.stock.adjusted"],
      lag: { inventory: 0, catalog: 5 },
      partitionsHere: 8,
    },
  ],
  deadLetters: [{ group: "search", count: 3 }],
};

describe("events output", () => {
  it("aligns tables on their widest cell without trailing spaces", () => {
    expect(
      table(
        ["A", "LONGER", "LAST"],
        [
          ["wide cell", "x", "end"],
          ["y", "", ""],
        ],
      ),
    ).toEqual(["A          LONGER  LAST", "wide cell  x       end", "y"]);
  });

  it("keeps an event by exact type or by dotted prefix", () => {
    expect(matchesType("catalog.product.created", [])).toBe(true);
    expect(matchesType("catalog.product.created", ["catalog"])).toBe(true);
    expect(matchesType("catalog.product.created", ["catalog."])).toBe(true);
    expect(matchesType("catalog.product.created", ["catalog.product"])).toBe(true);
    expect(matchesType("catalog.product.created", ["catalog.product.created"])).toBe(true);
    expect(matchesType("catalog.product.created", ["cat"])).toBe(false);
    expect(matchesType("catalog.product.created", ["catalog.product.created_late"])).toBe(false);
    expect(matchesType("catalog.product.created", ["inventory", "catalog.product"])).toBe(true);
  });

  it("prints one tail line: time, type, subject, id, source", () => {
    const line = formatTailLine({
      occurredAt: "2026-11-22T08:05:16.414Z",
      type: "catalog.category.created",
      subject: "01a20249-bbfa-71c6-a108-933a1f8b4335",
      id: "01a20249-bbfe-7300-aeda-7393d67f2ff5",
      source: "catalog",
    });
    expect(line.split(/ {2,}/)).toEqual([
      "2026-11-22T08:05:16.414Z",
      "catalog.category.created",
      "01a20249-bbfa-71c6-a108-933a1f8b4335",
      "01a20249-bbfe-7300-aeda-7393d67f2ff5",
      "catalog",
    ]);
    // Columns line up from one event to the next.
    const other = formatTailLine({
      occurredAt: "2026-11-22T08:05:17Z",
      type: "x.y.z",
      subject: "s",
      id: "i",
      source: "x",
    });
    expect(other.indexOf(" x.y.z")).toBe(line.indexOf(" catalog.category.created"));
  });

  it("shows the status of each service, each group per stream with its lag, and a summary", () => {
    const lines = formatStatus([catalogStatus, searchStatus], ["identity"]);
    expect(lines).toEqual([
      "transport  PostgreSQL event log postgres://postgres:***@127.0.0.1:5433/comptoir_events",
      "",
      "SERVICE  OUTBOX UNSENT  OLDEST UNSENT  DEAD LETTERS  GROUPS",
      "catalog  2              3 s            0             -",
      "search   0              -              3             search",
      "",
      "GROUP   SERVICE  STREAM     LAG  DEAD LETTERS  TYPES",
      "search  search   catalog    5    3             catalog.product.created",
      "search  search   inventory  0                  inventory.stock.adjusted",
      "",
      "2 services with events (1 without), 1 consumer group, lag 5, 2 unsent in outboxes, 3 dead letters",
    ]);
  });

  it("says so when no service has events or no group exists", () => {
    expect(formatStatus([], ["identity", "catalog"])).toEqual([
      "no service has events (identity, catalog answered 404)",
    ]);
    expect(formatStatus([catalogStatus], [])).toContain("no consumer groups");
  });

  it("lists dead letters with the first line of their error, and how to replay them", () => {
    const letter: DeadLetterRow = {
      id: "01a20250-0000-7000-8000-000000000001",
      group: "search",
      eventId: "01a20249-bbfe-7300-aeda-7393d67f2ff5",
      eventType: "catalog.product.created",
      error: "\nError: index is read-only\n    at handler (search/src/x.ts:1:1)",
      attempts: 5,
      failedAt: "2026-11-22T08:05:16.414Z",
    };
    const lines = formatDeadLetters([
      { service: "search", data: [letter], total: 1 },
      { service: "reporting", data: [], total: 0 },
    ]);
    expect(lines).toEqual([
      "ID                                    SERVICE  GROUP   EVENT TYPE               EVENT ID                              ATTEMPTS  FAILED AT             ERROR",
      "01a20250-0000-7000-8000-000000000001  search   search  catalog.product.created  01a20249-bbfe-7300-aeda-7393d67f2ff5  5         2026-11-22 08:05:16Z  Error: index is read-only",
      "",
      "1 dead letter: search 1",
      "replay one: comptoir events dlq replay <id> --service <service>; all: comptoir events dlq replay --all",
    ]);
    expect(formatDeadLetters([{ service: "search", data: [], total: 0 }])).toEqual(["no dead letters"]);
    expect(formatDeadLetters([{ service: "search", data: [letter], total: 1500 }])).toContain("showing the oldest 1");
  });

  it("reports replayed dead letters and counts those that failed again", () => {
    const { lines, failed } = formatReplayOutcomes([
      {
        service: "search",
        data: [
          { id: "a", outcome: "handled" },
          { id: "b", outcome: "failed", error: "The handler failed again: boom\nstack" },
        ],
      },
      { service: "reporting", data: [{ id: "c", outcome: "duplicate" }] },
    ]);
    expect(failed).toBe(1);
    expect(lines).toEqual([
      "ID  SERVICE    OUTCOME    ERROR",
      "a   search     handled",
      "b   search     failed     The handler failed again: boom",
      "c   reporting  duplicate",
      "",
      "3 dead letters replayed: 1 handled, 1 failed, 1 duplicate",
    ]);
    expect(formatReplayOutcomes([{ service: "search", data: [] }])).toEqual({
      lines: ["no dead letters to replay"],
      failed: 0,
    });
  });

  it("describes a problem answer in one line, and other answers as best it can", () => {
    expect(
      describeProblem(409, {
        type: "https://comptoir.dev/problems/dead_letter_replay_failed",
        title: "Conflict",
        status: 409,
        detail: "The handler failed again: boom",
        code: "dead_letter_replay_failed",
      }),
    ).toBe("409 Conflict: The handler failed again: boom [dead_letter_replay_failed]");
    expect(describeProblem(502, "<html>Bad Gateway</html>\n")).toBe("502 <html>Bad Gateway</html>");
    expect(describeProblem(500, "")).toBe("HTTP 500");
  });

  it("shortens times and errors", () => {
    expect(shortTime("2026-11-22T08:05:16.414+00:00")).toBe("2026-11-22 08:05:16Z");
    expect(shortTime("yesterday")).toBe("yesterday");
    expect(firstLine("  \n  first\nsecond")).toBe("first");
    expect(firstLine("x".repeat(150))).toHaveLength(100);
  });
});
