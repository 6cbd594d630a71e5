import { randomUUID } from "node:crypto";
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BACKEND_SERVICES, partitionOf, type RawEnvelope } from "@comptoir/contracts";
import { createPgLogTransport, type EventTransport } from "@comptoir/events";
import { createTestDatabase, type TestDatabase, testLogger } from "@comptoir/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type EventsContext, eventsCommand } from "../src/commands/events.command";
import { UserError } from "../src/errors";
import { locateGateway } from "../src/events/platform-location";
import { writeRuntimeFile } from "../src/launcher/runtime-file";

interface Recorded {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

type Route = (request: Recorded) => { status: number; body: unknown } | undefined;

/** A stand-in for the gateway: answers from `route`, 404 (route_not_found) for everything else. */
class FakeGateway {
  readonly requests: Recorded[] = [];
  route: Route = () => undefined;
  private readonly server: Server = createServer((req, res) => void this.answer(req, res));
  url = "";

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = "";
    for await (const chunk of req) text += chunk;
    const recorded: Recorded = {
      method: req.method ?? "",
      url: req.url ?? "",
      authorization: req.headers.authorization,
      body: text ? JSON.parse(text) : undefined,
    };
    this.requests.push(recorded);
    let routed: ReturnType<Route>;
    try {
      routed = this.route(recorded);
    } catch (error) {
      routed = { status: 500, body: { title: "Fake gateway failure", detail: String(error) } };
    }
    const answer = routed ?? {
      status: 404,
      body: {
        title: "Not found",
        status: 404,
        code: "route_not_found",
        detail: `Route ${req.method}:${req.url} not found`,
      },
    };
    const problem = answer.status >= 400;
    res.writeHead(answer.status, { "content-type": problem ? "application/problem+json" : "application/json" });
    res.end(JSON.stringify(answer.body));
  }
}

const status = (service: string, groups: EventsStatusGroup[] = [], dead: { group: string; count: number }[] = []) => ({
  service,
  instance: `${service}-1`,
  transport: { kind: "postgres", description: "postgres://postgres:***@127.0.0.1:5433/comptoir_events" },
  outbox: { unsent: 0, sentRetained: 3, oldestUnsentSeconds: 0 },
  groups,
  deadLetters: dead,
});
type EventsStatusGroup = { group: string; types: string[]; lag: Record<string, number>; partitionsHere: number };

const DEAD_ID = "01a20250-0000-7000-8000-000000000001";

describe("comptoir events (admin commands) against a gateway", () => {
  const gateway = new FakeGateway();
  let cwd: string;
  let out: string[];
  let err: string[];

  function context(env: Record<string, string> = {}): EventsContext {
    return { env, cwd, out: (line) => out.push(line), err: (line) => err.push(line) };
  }
  const run = (args: string[], env: Record<string, string> = {}) =>
    eventsCommand([...args, "--url", gateway.url], context(env));

  beforeAll(async () => {
    await gateway.start();
    cwd = await mkdtemp(join(tmpdir(), "comptoir-events-cli-"));
  });
  afterAll(async () => {
    await gateway.close();
    await rm(cwd, { recursive: true, force: true });
  });
  beforeEach(() => {
    out = [];
    err = [];
    gateway.requests.length = 0;
    gateway.route = () => undefined;
  });

  it("status asks every service, skips those without events, and sends COMPTOIR_TOKEN", async () => {
    gateway.route = ({ url }) => {
      if (url === "/api/catalog/admin/events/status") return { status: 200, body: status("catalog") };
      if (url === "/api/search/admin/events/status") {
        const group = { group: "search", types: ["catalog.product.created"], lag: { catalog: 2 }, partitionsHere: 8 };
        return { status: 200, body: status("search", [group]) };
      }
      return undefined;
    };
    expect(await run(["status"], { COMPTOIR_TOKEN: "t0ken" })).toBe(0);
    expect(gateway.requests.map((r) => r.url).sort()).toEqual(
      BACKEND_SERVICES.map((s) => `/api/${s}/admin/events/status`).sort(),
    );
    expect(new Set(gateway.requests.map((r) => r.authorization))).toEqual(new Set(["Bearer t0ken"]));
    expect(out.join("\n")).toMatch(/^search +search +catalog +2 +0 +catalog\.product\.created$/m);
    expect(out.join("\n")).toMatch(/^catalog +0 +- +0 +-$/m);
    expect(out.at(-1)).toBe(
      "2 services with events (9 without), 1 consumer group, lag 2, 0 unsent in outboxes, 0 dead letters",
    );
    expect(err).toEqual([]);
  });

  it("sends no Authorization header without COMPTOIR_TOKEN", async () => {
    await run(["status", "--service", "catalog"]);
    expect(gateway.requests[0]?.authorization).toBeUndefined();
  });

  it("status fails (exit code 1) when a service answers with a problem, still printing the others", async () => {
    gateway.route = ({ url }) => {
      if (url === "/api/catalog/admin/events/status") return { status: 200, body: status("catalog") };
      if (url === "/api/orders/admin/events/status") {
        return {
          status: 503,
          body: { title: "Service unavailable", detail: "orders is not reachable", code: "upstream_unavailable" },
        };
      }
      return undefined;
    };
    expect(await run(["status"])).toBe(1);
    expect(out.at(-1)).toMatch(/^1 service with events \(9 without\)/);
    expect(err).toEqual(["comptoir: orders: 503 Service unavailable: orders is not reachable [upstream_unavailable]"]);
  });

  it("a service named with --service that has no events is a failure, not a skip", async () => {
    expect(await run(["status", "--service", "identity"])).toBe(1);
    expect(err[0]).toMatch(/^comptoir: identity has no events admin here \(404 Not found: Route GET/);
  });

  it("dlq list pages through every service's dead letters and prints them in one table", async () => {
    const letter = (n: number) => ({
      id: `01a20250-0000-7000-8000-00000000000${n}`,
      group: "search",
      eventId: randomUUID(),
      eventType: "catalog.product.created",
      stream: "catalog",
      partition: 1,
      sequence: n,
      envelope: {},
      error: `Error: failure ${n}\n    at somewhere`,
      attempts: 5,
      failedAt: "2026-11-22T08:05:16.414Z",
      replayedAt: null,
    });
    gateway.route = ({ url }) => {
      const parsed = new URL(url, "http://x");
      if (parsed.pathname !== "/api/search/admin/events/dead-letters") return undefined;
      expect(parsed.searchParams.get("group")).toBe("search");
      const page = Number(parsed.searchParams.get("page"));
      const limit = Number(parsed.searchParams.get("limit"));
      return {
        status: 200,
        body: { data: page === 1 ? [letter(1), letter(2)] : [], pagination: { page, limit, total: 2 } },
      };
    };
    expect(await run(["dlq", "list", "--group", "search"])).toBe(0);
    expect(out[0]).toMatch(/^ID +SERVICE +GROUP +EVENT TYPE +EVENT ID +ATTEMPTS +FAILED AT +ERROR$/);
    expect(out[1]).toMatch(
      /^01a20250-0000-7000-8000-000000000001 +search +search +catalog\.product\.created .* 5 +2026-11-22 08:05:16Z +Error: failure 1$/,
    );
    expect(out).toContain("2 dead letters: search 2");
  });

  it("dlq replay <id> prints the outcome, and on failure the problem with exit code 1", async () => {
    gateway.route = ({ method, url }) =>
      method === "POST" && url === `/api/search/admin/events/dead-letters/${DEAD_ID}/replay`
        ? { status: 200, body: { id: DEAD_ID, outcome: "handled" } }
        : undefined;
    expect(await run(["dlq", "replay", DEAD_ID, "--service", "search"])).toBe(0);
    expect(out).toEqual([`dead letter ${DEAD_ID} replayed by search: handled`]);

    gateway.route = () => ({
      status: 409,
      body: {
        title: "Conflict",
        status: 409,
        detail: "The handler failed again: boom",
        code: "dead_letter_replay_failed",
      },
    });
    const failure = await run(["dlq", "replay", DEAD_ID, "--service", "search"]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UserError);
    expect((failure as UserError).exitCode).toBe(1);
    expect((failure as UserError).message).toBe(
      `search: dead letter ${DEAD_ID} not replayed: 409 Conflict: The handler failed again: boom [dead_letter_replay_failed]`,
    );
  });

  it("dlq replay --all replays in every service with events and exits 1 when one fails again", async () => {
    gateway.route = ({ method, url }) => {
      if (method !== "POST") return undefined;
      if (url === "/api/search/admin/events/dead-letters/replay") {
        return {
          status: 200,
          body: {
            data: [
              { id: "a", outcome: "handled" },
              { id: "b", outcome: "failed", error: "The handler failed again: boom" },
            ],
          },
        };
      }
      if (url === "/api/catalog/admin/events/dead-letters/replay") return { status: 200, body: { data: [] } };
      return undefined;
    };
    expect(await run(["dlq", "replay", "--all", "--group", "search"])).toBe(1);
    expect(gateway.requests).toHaveLength(BACKEND_SERVICES.length);
    expect(new Set(gateway.requests.map((r) => JSON.stringify(r.body)))).toEqual(new Set(['{"group":"search"}']));
    expect(out.at(-1)).toBe("2 dead letters replayed: 1 handled, 1 failed");
    expect(err).toEqual(["comptoir: 1 dead letter failed again; see the ERROR column"]);

    gateway.route = ({ url }) =>
      url === "/api/catalog/admin/events/dead-letters/replay" ? { status: 200, body: { data: [] } } : undefined;
    out = [];
    err = [];
    expect(await run(["dlq", "replay", "--all"])).toBe(0);
    expect(out).toEqual(["no dead letters to replay"]);
  });

  it("replay rewinds the group on its service", async () => {
    gateway.route = ({ method, url, body }) => {
      if (method !== "POST" || url !== "/api/search/admin/events/replay") return undefined;
      if ((body as { group: string }).group !== "search") {
        return {
          status: 404,
          body: {
            title: "Not found",
            detail: 'This service has no consumer group "other".',
            code: "consumer_group_not_found",
          },
        };
      }
      return { status: 200, body: { group: "search", streams: ["catalog", "inventory"] } };
    };
    expect(await run(["replay", "--group", "search", "--from-start"])).toBe(0);
    expect(gateway.requests.map((r) => r.body)).toEqual([{ group: "search", fromStart: true }]);
    expect(out[0]).toBe(
      "search: consumer group search rewound to the first event of catalog, inventory; its read model is being rebuilt",
    );
    const failure = await run(["replay", "--group", "other", "--service", "search", "--from-start"]).catch(
      (error: unknown) => error,
    );
    expect((failure as UserError).message).toBe(
      'search: consumer group other not replayed: 404 Not found: This service has no consumer group "other". [consumer_group_not_found]',
    );
  });

  it("says where it looked when the gateway cannot be reached", async () => {
    const failure = await eventsCommand(["status", "--url", "http://127.0.0.1:1"], context()).catch(
      (error: unknown) => error,
    );
    expect((failure as UserError).message).toMatch(
      /^cannot reach the gateway at http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\); is the platform running\?/,
    );
  });
});

describe("how comptoir events finds the platform", () => {
  let cwd: string;
  const gateway = new FakeGateway();

  beforeAll(async () => {
    await gateway.start();
    gateway.route = ({ url }) => (url.endsWith("/status") ? { status: 200, body: status("catalog") } : undefined);
  });
  afterAll(() => gateway.close());
  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), "comptoir-events-find-"));
    gateway.requests.length = 0;
  });
  afterEach(() => rm(cwd, { recursive: true, force: true }));

  const context = (env: Record<string, string>): EventsContext => ({ env, cwd, out: () => {}, err: () => {} });

  it("calls the gateway of the running platform's runtime.json (COMPTOIR_DATA or ./.data)", async () => {
    mkdirSync(join(cwd, ".data"));
    writeRuntimeFile(join(cwd, ".data"), { pid: process.pid, gatewayUrl: gateway.url });
    expect(await eventsCommand(["status", "--service", "catalog"], context({}))).toBe(0);
    expect(gateway.requests).toHaveLength(1);

    const other = join(cwd, "elsewhere");
    mkdirSync(other);
    writeRuntimeFile(other, { pid: process.pid, gatewayUrl: "http://127.0.0.1:1" });
    const failure = await eventsCommand(["status"], context({ COMPTOIR_DATA: other })).catch((e: unknown) => e);
    expect((failure as Error).message).toMatch(/cannot reach the gateway at http:\/\/127\.0\.0\.1:1/);
  });

  it("prefers --url, then COMPTOIR_URL, and ignores a runtime.json whose launcher is gone", async () => {
    mkdirSync(join(cwd, ".data"));
    const dead = spawnSync("true").pid as number;
    writeRuntimeFile(join(cwd, ".data"), { pid: dead, gatewayUrl: "http://127.0.0.1:1" });
    expect(await eventsCommand(["status", "--service", "catalog"], context({ COMPTOIR_URL: gateway.url }))).toBe(0);
    const failure = await eventsCommand(
      ["status", "--url", "http://127.0.0.1:2"],
      context({ COMPTOIR_URL: gateway.url }),
    ).catch((e: unknown) => e);
    expect((failure as Error).message).toMatch(/gateway at http:\/\/127\.0\.0\.1:2 /);
    // No running platform (the file's launcher is gone): the default address.
    expect(locateGateway(undefined, {}, cwd)).toBe("http://127.0.0.1:8080");
    expect(() => locateGateway("localhost:8080", {}, cwd)).toThrow(
      '--url must be an http(s) URL (http://127.0.0.1:8080), got "localhost:8080"',
    );
  });

  it("tail explains what to do when there is no running platform", async () => {
    await expect(eventsCommand(["tail"], context({}))).rejects.toThrow(
      `no running platform found in ${join(cwd, ".data")}; start it with npm start, or set NATS_URL or EVENT_LOG_URL`,
    );
    mkdirSync(join(cwd, ".data"));
    const dead = spawnSync("true").pid as number;
    writeRuntimeFile(join(cwd, ".data"), {
      pid: dead,
      gatewayUrl: "http://127.0.0.1:8080",
      eventLogUrl: "postgres://x@127.0.0.1:1/comptoir_events",
    });
    await expect(eventsCommand(["tail"], context({}))).rejects.toThrow(
      `no running platform found in ${join(cwd, ".data")} (its runtime.json was left by pid ${dead}, which has stopped)`,
    );
  });
});

describe("comptoir events tail on the PostgreSQL event log", { timeout: 30_000 }, () => {
  let database: TestDatabase;
  let producer: EventTransport;

  beforeAll(async () => {
    database = await createTestDatabase("events_tail");
    producer = await createPgLogTransport({ url: database.url, logger: testLogger("tail-test"), name: "tail-test" });
  });
  afterAll(async () => {
    await producer?.close();
    await database?.drop();
  });

  function envelope(type: string, subject = randomUUID()): RawEnvelope {
    return {
      id: randomUUID(),
      type,
      source: type.split(".")[0]!,
      subject,
      occurredAt: new Date().toISOString(),
      version: 1,
      data: { n: 1 },
    };
  }

  /** Runs `tail` until `done(lines)`, appending events meanwhile (the tail starts at "now"). */
  async function tailUntil(args: string[], env: Record<string, string>, done: (lines: string[]) => boolean) {
    const out: string[] = [];
    const err: string[] = [];
    const controller = new AbortController();
    const running = eventsCommand(["tail", ...args], {
      env,
      cwd: tmpdir(),
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      signal: controller.signal,
    });
    const appended: RawEnvelope[] = [];
    const deadline = Date.now() + 20_000;
    while (!done(out) && Date.now() < deadline) {
      const pair = [envelope("inventory.stock.adjusted"), envelope("catalog.product.created")];
      await producer.append("inventory", [{ envelope: pair[0]!, partition: partitionOf(pair[0]!.subject) }]);
      await producer.append("catalog", [{ envelope: pair[1]!, partition: partitionOf(pair[1]!.subject) }]);
      appended.push(...pair);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    controller.abort();
    expect(await running).toBe(0);
    return { out, err, appended };
  }

  it("prints each new event of the chosen types as one line, until stopped", async () => {
    const { out, err, appended } = await tailUntil(
      ["--type", "catalog"],
      { EVENT_LOG_URL: database.url },
      (lines) => lines.length >= 2,
    );
    expect(err[0]).toMatch(/^following PostgreSQL event log postgres:\/\/.*\(types: catalog\); Ctrl-C to stop$/);
    expect(out.length).toBeGreaterThanOrEqual(2);
    const byId = new Map(appended.map((e) => [e.id, e]));
    for (const line of out) {
      const [time, type, subject, id, source] = line.split(/ {2,}/);
      const event = byId.get(id!);
      expect(event, line).toBeDefined();
      expect([time, type, subject, source]).toEqual([
        event!.occurredAt,
        "catalog.product.created",
        event!.subject,
        "catalog",
      ]);
    }
  });

  it("--json prints each envelope as one JSON line", async () => {
    const { out, appended } = await tailUntil(
      ["--json"],
      { EVENT_LOG_URL: database.url },
      (lines) => lines.length >= 2,
    );
    const byId = new Map(appended.map((e) => [e.id, e]));
    for (const line of out) {
      const parsed = JSON.parse(line) as RawEnvelope;
      expect(parsed).toEqual(byId.get(parsed.id));
    }
    expect(new Set(out.map((line) => (JSON.parse(line) as RawEnvelope).type)).size).toBe(2);
  });

  it("reads the event log named by the running platform's runtime.json", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "comptoir-events-runtime-"));
    try {
      writeRuntimeFile(dataDir, { pid: process.pid, gatewayUrl: "http://127.0.0.1:1", eventLogUrl: database.url });
      const { out } = await tailUntil(
        ["--type", "inventory.stock.adjusted"],
        { COMPTOIR_DATA: dataDir },
        (lines) => lines.length >= 1,
      );
      expect(out[0]).toMatch(/ inventory\.stock\.adjusted /);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
