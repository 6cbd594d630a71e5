import { request } from "undici";
import { UserError } from "../errors";

export interface AdminAnswer {
  status: number;
  body: unknown;
}

export type RequestFunction = typeof request;

export interface AdminClientOptions {
  /** The gateway, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` (COMPTOIR_TOKEN). */
  token?: string | undefined;
  /** For tests. */
  request?: RequestFunction;
}

/** How long to wait for a status or a list; replays (which may wait for partitions) get longer. */
const QUICK_TIMEOUT_MS = 15_000;
const REPLAY_TIMEOUT_MS = 120_000;

/**
 * Calls the services' `/api/<service>/admin/events/...` endpoints through the gateway. Any HTTP
 * answer is returned (the caller decides what a 404 means); not reaching the gateway at all is a
 * UserError that says where it looked.
 */
export class AdminClient {
  private readonly send: RequestFunction;

  constructor(private readonly options: AdminClientOptions) {
    this.send = options.request ?? request;
  }

  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** Any GET through the gateway (the other admin commands' endpoints). */
  get(path: string): Promise<AdminAnswer> {
    return this.call("GET", path, undefined, true);
  }

  status(service: string): Promise<AdminAnswer> {
    return this.call("GET", `/api/${service}/admin/events/status`);
  }

  deadLetters(service: string, query: { group?: string | undefined; page: number; limit: number }) {
    const params = new URLSearchParams({ page: String(query.page), limit: String(query.limit) });
    if (query.group) params.set("group", query.group);
    return this.call("GET", `/api/${service}/admin/events/dead-letters?${params}`);
  }

  replayDeadLetter(service: string, id: string): Promise<AdminAnswer> {
    return this.call("POST", `/api/${service}/admin/events/dead-letters/${encodeURIComponent(id)}/replay`, {}, true);
  }

  replayDeadLetters(service: string, group: string | undefined): Promise<AdminAnswer> {
    return this.call("POST", `/api/${service}/admin/events/dead-letters/replay`, group ? { group } : {}, true);
  }

  replayGroup(service: string, group: string): Promise<AdminAnswer> {
    return this.call("POST", `/api/${service}/admin/events/replay`, { group, fromStart: true }, true);
  }

  private async call(method: "GET" | "POST", path: string, body?: unknown, slow = false): Promise<AdminAnswer> {
    const url = new URL(`${this.options.baseUrl.replace(/\/+$/, "")}${path}`);
    const headers: Record<string, string> = { accept: "application/json, application/problem+json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    const timeout = slow ? REPLAY_TIMEOUT_MS : QUICK_TIMEOUT_MS;
    let answer: Awaited<ReturnType<RequestFunction>>;
    try {
      answer = await this.send(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
    } catch (error) {
      const cause = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      if (/TIMEOUT/.test(cause)) {
        throw new UserError(`${method} ${url.pathname}: no answer from ${this.options.baseUrl} in ${timeout / 1000} s`);
      }
      throw new UserError(
        `cannot reach the gateway at ${this.options.baseUrl} (${cause}); is the platform running? ` +
          "start it with npm start, or give --url or COMPTOIR_URL",
      );
    }
    const text = await answer.body.text();
    let parsed: unknown = text;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (answer.statusCode === 401 || answer.statusCode === 403) {
      throw new UserError(
        `${method} ${url.pathname}: ${answer.statusCode === 401 ? "not authenticated" : "not allowed"} — ` +
          "these commands need an admin's access token in COMPTOIR_TOKEN (POST /api/identity/login)",
      );
    }
    return { status: answer.statusCode, body: parsed };
  }
}
