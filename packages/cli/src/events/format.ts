/**
 * How `comptoir events ...` prints: plain aligned tables (no colours, so they can be piped and
 * grepped), one line per event for `tail`, and problems as one line.
 */

/** The subset of an envelope `tail` prints. */
export interface TailedEvent {
  id: string;
  type: string;
  source: string;
  subject: string;
  occurredAt: string;
}

/** What GET /api/<service>/admin/events/status answers (EventBus.status()). */
export interface EventsStatus {
  service: string;
  instance?: string;
  transport?: { kind: string; description: string };
  outbox: { unsent: number; sentRetained?: number; oldestUnsentSeconds: number };
  groups: { group: string; types: string[]; lag: Record<string, number>; partitionsHere?: number }[];
  /** Pending dead letters per consumer group (groups without any are absent). */
  deadLetters: { group: string; count: number }[];
}

function deadLettersOf(status: EventsStatus, group?: string): number {
  return status.deadLetters
    .filter((entry) => group === undefined || entry.group === group)
    .reduce((sum, entry) => sum + entry.count, 0);
}

/** One row of GET /api/<service>/admin/events/dead-letters. */
export interface DeadLetterRow {
  id: string;
  group: string;
  eventId: string;
  eventType: string;
  error: string;
  attempts: number;
  failedAt: string;
}

export interface ReplayOutcome {
  id: string;
  outcome: string;
  error?: string;
}

/** A table whose columns are as wide as their widest cell; the last column is not padded. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** `--type catalog` matches `catalog.product.created`; `catalog.product` too; an exact type only itself. */
export function matchesType(type: string, filters: readonly string[]): boolean {
  if (filters.length === 0) return true;
  return filters.some((filter) => {
    const prefix = filter.endsWith(".") ? filter : `${filter}.`;
    return type === filter || type.startsWith(prefix);
  });
}

/** `2025-11-22T07:45:12.345Z  catalog.product.created  <subject>  <id>  catalog`: aligned as a stream. */
export function formatTailLine(event: TailedEvent): string {
  return [event.occurredAt.padEnd(24), event.type.padEnd(32), event.subject.padEnd(36), event.id, event.source].join(
    "  ",
  );
}

/** `2025-11-22T07:45:12.345+00:00` → `2025-11-22 07:45:12Z` (UTC, to the second). */
export function shortTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, "Z");
}

/** The first non-empty line of an error (often a whole stack), at most `max` characters. */
export function firstLine(text: string, max = 100): string {
  const line = text
    .split("\n")
    .map((part) => part.trim())
    .find((part) => part.length > 0);
  if (!line) return "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function seconds(value: number): string {
  if (value <= 0) return "-";
  if (value < 120) return `${Math.round(value)} s`;
  if (value < 7200) return `${Math.round(value / 60)} min`;
  return `${(value / 3600).toFixed(1)} h`;
}

export function transportLabel(transport: { kind: string; description: string }): string {
  const kind =
    transport.kind === "postgres"
      ? "PostgreSQL event log"
      : transport.kind === "jetstream"
        ? "NATS JetStream"
        : transport.kind;
  return `${kind} ${transport.description}`;
}

/**
 * `events status`: the transport, one row per service (outbox and dead letters), one row per
 * consumer group and stream it reads (with its lag), then a summary.
 */
export function formatStatus(statuses: readonly EventsStatus[], withoutEvents: readonly string[]): string[] {
  if (statuses.length === 0) {
    return [
      withoutEvents.length > 0
        ? `no service has events (${withoutEvents.join(", ")} answered 404)`
        : "no service answered",
    ];
  }
  const lines: string[] = [];
  const transports = [...new Set(statuses.flatMap((s) => (s.transport ? [transportLabel(s.transport)] : [])))];
  for (const transport of transports) lines.push(`transport  ${transport}`);
  if (transports.length > 0) lines.push("");

  lines.push(
    ...table(
      ["SERVICE", "OUTBOX UNSENT", "OLDEST UNSENT", "DEAD LETTERS", "GROUPS"],
      statuses.map((s) => [
        s.service,
        String(s.outbox.unsent),
        seconds(s.outbox.oldestUnsentSeconds),
        String(deadLettersOf(s)),
        s.groups.map((g) => g.group).join(", ") || "-",
      ]),
    ),
  );

  const groupRows: string[][] = [];
  for (const s of statuses) {
    for (const group of s.groups) {
      const streams = Object.keys(group.lag).sort();
      const dead = String(deadLettersOf(s, group.group));
      if (streams.length === 0) groupRows.push([group.group, s.service, "-", "-", dead, group.types.join(", ")]);
      for (const [index, stream] of streams.entries()) {
        const types = group.types.filter((type) => type.startsWith(`${stream}.`));
        groupRows.push([
          group.group,
          s.service,
          stream,
          String(group.lag[stream]),
          // A group's dead letters are not per stream: shown once, on its first row.
          index === 0 ? dead : "",
          (types.length > 0 ? types : group.types).join(", "),
        ]);
      }
    }
  }
  lines.push("");
  if (groupRows.length > 0)
    lines.push(...table(["GROUP", "SERVICE", "STREAM", "LAG", "DEAD LETTERS", "TYPES"], groupRows));
  else lines.push("no consumer groups");

  const groups = statuses.reduce((sum, s) => sum + s.groups.length, 0);
  const lag = statuses.reduce((sum, s) => sum + s.groups.reduce((n, g) => n + sumOf(g.lag), 0), 0);
  const unsent = statuses.reduce((sum, s) => sum + s.outbox.unsent, 0);
  const dead = statuses.reduce((sum, s) => sum + deadLettersOf(s), 0);
  const without = withoutEvents.length > 0 ? ` (${withoutEvents.length} without)` : "";
  lines.push(
    "",
    `${plural(statuses.length, "service")} with events${without}, ${plural(groups, "consumer group")}, ` +
      `lag ${lag}, ${unsent} unsent in outboxes, ${plural(dead, "dead letter")}`,
  );
  return lines;
}

function sumOf(values: Record<string, number>): number {
  return Object.values(values).reduce((sum, value) => sum + value, 0);
}

/** `events dlq list`: one row per dead letter, oldest first within each service, then a summary. */
export function formatDeadLetters(
  byService: readonly { service: string; data: readonly DeadLetterRow[]; total: number }[],
): string[] {
  const rows = byService.flatMap(({ service, data }) =>
    data.map((letter) => [
      letter.id,
      service,
      letter.group,
      letter.eventType,
      letter.eventId,
      String(letter.attempts),
      shortTime(letter.failedAt),
      firstLine(letter.error),
    ]),
  );
  const total = byService.reduce((sum, s) => sum + s.total, 0);
  if (total === 0) return ["no dead letters"];
  const lines = table(["ID", "SERVICE", "GROUP", "EVENT TYPE", "EVENT ID", "ATTEMPTS", "FAILED AT", "ERROR"], rows);
  const perService = byService
    .filter((s) => s.total > 0)
    .map((s) => `${s.service} ${s.total}`)
    .join(", ");
  lines.push("", `${plural(total, "dead letter")}: ${perService}`);
  if (rows.length < total) lines.push(`showing the oldest ${rows.length}`);
  lines.push("replay one: comptoir events dlq replay <id> --service <service>; all: comptoir events dlq replay --all");
  return lines;
}

/** `events dlq replay --all`: one row per dead letter handed to its handler again, then a summary. */
export function formatReplayOutcomes(byService: readonly { service: string; data: readonly ReplayOutcome[] }[]): {
  lines: string[];
  failed: number;
} {
  const rows = byService.flatMap(({ service, data }) =>
    data.map((result) => [result.id, service, result.outcome, result.error ? firstLine(result.error) : ""]),
  );
  if (rows.length === 0) return { lines: ["no dead letters to replay"], failed: 0 };
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row[2]!, (counts.get(row[2]!) ?? 0) + 1);
  const failed = counts.get("failed") ?? 0;
  const breakdown = [...counts].map(([outcome, count]) => `${count} ${outcome}`).join(", ");
  return {
    lines: [
      ...table(["ID", "SERVICE", "OUTCOME", "ERROR"], rows),
      "",
      `${plural(rows.length, "dead letter")} replayed: ${breakdown}`,
    ],
    failed,
  };
}

/** A problem (RFC 9457) or any other error answer, as one line: `409 Conflict: detail [code]`. */
export function describeProblem(status: number, body: unknown): string {
  if (body && typeof body === "object") {
    const problem = body as { title?: unknown; detail?: unknown; code?: unknown; message?: unknown };
    const title = typeof problem.title === "string" ? problem.title : undefined;
    const detail =
      typeof problem.detail === "string"
        ? problem.detail
        : typeof problem.message === "string"
          ? problem.message
          : undefined;
    const code = typeof problem.code === "string" ? ` [${problem.code}]` : "";
    const text = [title, detail].filter(Boolean).join(": ");
    if (text) return `${status} ${text}${code}`;
  }
  if (typeof body === "string" && body.trim()) return `${status} ${firstLine(body, 200)}`;
  return `HTTP ${status}`;
}
