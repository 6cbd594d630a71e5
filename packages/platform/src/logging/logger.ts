import { hostname } from "node:os";
import { type DestinationStream, type Logger, pino } from "pino";
import { currentContext } from "../context/request-context";

export type { Logger } from "pino";

export interface LoggerOptions {
  service: string;
  instance?: string | undefined;
  level?: string;
  destination?: DestinationStream;
}

export function defaultInstanceId(service: string): string {
  return `${service}-${hostname()}-${process.pid}`;
}

/**
 * JSON logs, one line each, with the service and instance on every line and the request id and
 * trace id of the current request (from the async context) whenever there is one.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: options.service, instance: options.instance ?? defaultInstanceId(options.service) },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label, number) => ({ level: number, levelName: label }) },
      mixin() {
        const ctx = currentContext();
        return ctx ? { requestId: ctx.requestId, traceId: ctx.traceId } : {};
      },
      redact: {
        paths: [
          "password",
          "*.password",
          "req.headers.authorization",
          "req.headers.cookie",
          'req.headers["x-api-key"]',
          "req.headers.apikey",
        ],
        censor: "[redacted]",
      },
    },
    options.destination,
  );
}
