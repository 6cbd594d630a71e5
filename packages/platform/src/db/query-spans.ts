import type pg from "pg";
import { currentContext } from "../context/request-context";
import { startSpan } from "../tracing/spans";

const OPERATION = /^\s*(?:--[^\n]*\n\s*)*([a-z]+)/i;
const MAX_TEXT = 2_000;

/**
 * A CLIENT span per query this connection runs inside a traced request, event or saga step ("SELECT
 * orders"): the SQL as written, with its `$n` placeholders — never the values, which hold customers'
 * data. Queries outside any context (pollers, leases, the outbox relay) start no trace of their own.
 * Installed on each new connection only when tracing is on (see createPool).
 */
export function traceQueries(client: pg.PoolClient, database: string): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const first = args[0];
    const text = typeof first === "string" ? first : (first as { text?: unknown } | null)?.text;
    // A Submittable (a cursor, a stream) or no traced context: as it was.
    if (typeof text !== "string" || typeof (first as { submit?: unknown }).submit === "function" || !currentContext()) {
      return query(...args);
    }
    const operation = (OPERATION.exec(text)?.[1] ?? "QUERY").toUpperCase();
    const span = startSpan(`${operation} ${database}`, {
      kind: "client",
      attributes: {
        "db.system.name": "postgresql",
        "db.namespace": database,
        "db.operation.name": operation,
        "db.query.text": text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text,
      },
    });
    const last = args.length - 1;
    if (typeof args[last] === "function") {
      const callback = args[last] as (error: Error | undefined, result: unknown) => void;
      args[last] = (error: Error | undefined, result: unknown) => {
        if (error) span.fail(error);
        span.end();
        callback(error, result);
      };
      return query(...args);
    }
    return (query(...args) as Promise<unknown>).then(
      (result) => {
        span.end();
        return result;
      },
      (error: unknown) => {
        span.fail(error);
        span.end();
        throw error;
      },
    );
  };
}
