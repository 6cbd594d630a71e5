import { describe, expect, it } from "vitest";
import { parseEventsArguments } from "../src/commands/events.command";
import { UsageError } from "../src/errors";

const ID = "01a20249-bbfe-7300-aeda-7393d67f2ff5";

function usageError(args: string[]): UsageError {
  try {
    parseEventsArguments(args);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`expected a usage error for ${args.join(" ")}`);
}

describe("comptoir events arguments", () => {
  it("reads tail with repeated --type filters and --json", () => {
    expect(parseEventsArguments(["tail"])).toEqual({ command: "tail", types: [], json: false });
    expect(parseEventsArguments(["tail", "--type", "catalog", "--type=inventory.stock.adjusted", "--json"])).toEqual({
      command: "tail",
      types: ["catalog", "inventory.stock.adjusted"],
      json: true,
    });
  });

  it("reads status and dlq list, for every service or one", () => {
    expect(parseEventsArguments(["status"])).toEqual({ command: "status", service: undefined, url: undefined });
    expect(parseEventsArguments(["status", "--service", "search", "--url", "http://gw:8080"])).toEqual({
      command: "status",
      service: "search",
      url: "http://gw:8080",
    });
    expect(parseEventsArguments(["dlq", "list", "--group", "search"])).toEqual({
      command: "dlq-list",
      service: undefined,
      group: "search",
      url: undefined,
    });
  });

  it("reads dlq replay of one dead letter (with its service) or of all", () => {
    expect(parseEventsArguments(["dlq", "replay", ID, "--service", "search"])).toEqual({
      command: "dlq-replay",
      id: ID,
      service: "search",
      url: undefined,
    });
    expect(parseEventsArguments(["dlq", "replay", "--all"])).toEqual({
      command: "dlq-replay-all",
      service: undefined,
      group: undefined,
      url: undefined,
    });
    expect(parseEventsArguments(["dlq", "replay", "--all", "--service", "search", "--group", "search"])).toEqual({
      command: "dlq-replay-all",
      service: "search",
      group: "search",
      url: undefined,
    });
  });

  it("reads replay: the group defaults to the service, the service to the group", () => {
    expect(parseEventsArguments(["replay", "--group", "search", "--from-start"])).toEqual({
      command: "replay",
      service: "search",
      group: "search",
      url: undefined,
    });
    expect(parseEventsArguments(["replay", "--service", "reporting", "--from-start"])).toMatchObject({
      service: "reporting",
      group: "reporting",
    });
    expect(
      parseEventsArguments(["replay", "--group", "sales-by-day", "--service", "reporting", "--from-start"]),
    ).toMatchObject({ service: "reporting", group: "sales-by-day" });
  });

  it("recognises help", () => {
    for (const word of ["help", "--help", "-h"]) expect(parseEventsArguments([word])).toEqual({ command: "help" });
  });

  it.each([
    [[], "events: which command? tail, status, dlq list, dlq replay or replay (see comptoir events --help)"],
    [["watch"], 'events: unknown command "watch" (see comptoir events --help)'],
    [["tail", "--follow"], "events tail: unknown option --follow (see comptoir events --help)"],
    [["tail", "--type"], "events tail: --type needs a value"],
    [["tail", "--json=yes"], "events tail: --json takes no value"],
    [["tail", "Catalog Product"], 'events tail: unexpected argument "Catalog Product" (see comptoir events --help)'],
    [["tail", "--type", "catalog product"], 'events tail: --type "catalog product" is not an event type or prefix'],
    [["tail", "--url", "http://x"], "events tail: unknown option --url"],
    [["status", "--service", "gateway"], 'events status: unknown service "gateway" — one of: identity, catalog,'],
    [["dlq"], "events dlq: list or replay?"],
    [["dlq", "purge"], 'events dlq: unknown command "purge"'],
    [["dlq", "list", "--group", "Search"], 'events dlq list: "Search" is not a consumer group name'],
    [["dlq", "replay"], "events dlq replay: which dead letter? give its id (see events dlq list), or --all"],
    [
      ["dlq", "replay", ID],
      "events dlq replay: --service is required with an id (the SERVICE column of events dlq list)",
    ],
    [["dlq", "replay", "42", "--service", "search"], 'events dlq replay: "42" is not a dead letter id'],
    [["dlq", "replay", ID, "--all"], "events dlq replay: give a dead letter's id or --all, not both"],
    [["dlq", "replay", ID, "--service", "search", "--group", "search"], "events dlq replay: --group goes with --all"],
    [["dlq", "replay", ID, ID, "--service", "search"], `events dlq replay: unexpected argument "${ID}"`],
    [["replay", "--group", "search"], "events replay: --from-start is required"],
    [["replay", "--from-start"], "events replay: which consumer group? --group <group> (or --service <service>)"],
    [
      ["replay", "--group", "sales-by-day", "--from-start"],
      'events replay: group "sales-by-day" is not a service\'s name; say which with --service',
    ],
  ])("rejects %j with a usage error (exit code 2)", (args, message) => {
    const error = usageError(args);
    expect(error.message.startsWith(message), error.message).toBe(true);
    expect(error.exitCode).toBe(2);
  });
});
