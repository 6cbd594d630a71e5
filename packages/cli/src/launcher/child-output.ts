import { statSync } from "node:fs";
import { open } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";

export interface AttentionLine {
  /** `warn`, `error`, `fatal`, or `raw` for output that is not a log line (a crash, a config error). */
  level: string;
  message: string;
}

const LEVEL_NAMES: Record<number, string> = { 40: "warn", 50: "error", 60: "fatal" };
const LEVEL_VALUES: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const LEVEL_FIELD = /"level":\s*(?:(\d+)|"(\w+)")/;
/** Access-log lines of health checks: the launcher's own readiness polls, a 503 while starting is expected. */
const HEALTH_CHECK = /"url":\s*"\/health\//;

/**
 * Decides whether one line of a service's output deserves the console: pino lines at warn or above,
 * and anything that is not a JSON log line (a stack trace, a configuration error). Most lines are
 * cheap to skip: only the level is read.
 */
export function attentionLine(text: string): AttentionLine | undefined {
  if (!text.trim()) return undefined;
  const match = text.startsWith("{") ? LEVEL_FIELD.exec(text) : null;
  if (!match) return { level: "raw", message: text };
  const value = match[1] ? Number(match[1]) : (LEVEL_VALUES[match[2] ?? ""] ?? 30);
  if (value < 40 || HEALTH_CHECK.test(text)) return undefined;
  const level = LEVEL_NAMES[Math.min(60, Math.floor(value / 10) * 10)] ?? "error";
  try {
    const entry = JSON.parse(text) as { msg?: unknown; err?: { message?: unknown } };
    const message = typeof entry.msg === "string" ? entry.msg : "";
    const cause = typeof entry.err?.message === "string" && entry.err.message !== message ? entry.err.message : "";
    return { level, message: [message, cause].filter(Boolean).join(" — ") || text };
  } catch {
    return { level, message: text };
  }
}

/**
 * Follows a growing log file from its current end, handing each new complete line to `onLine`.
 * Services write their logs to the file themselves (not through a pipe to us), so their logging
 * never breaks when the launcher is gone; the launcher reads the file to echo what matters.
 */
export class LogFollower {
  private offset: number;
  private pending = "";
  private decoder = new StringDecoder("utf8");
  private reading: Promise<void> | undefined;
  private readonly buffer = Buffer.alloc(64 * 1024);

  constructor(
    private readonly path: string,
    private readonly onLine: (line: string) => void,
  ) {
    // What earlier runs wrote is not news.
    try {
      this.offset = statSync(path).size;
    } catch {
      this.offset = 0;
    }
  }

  /** Reads what was appended since the last call. */
  poll(): Promise<void> {
    this.reading ??= this.read().finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async read(): Promise<void> {
    let file: Awaited<ReturnType<typeof open>>;
    try {
      file = await open(this.path, "r");
    } catch {
      return; // not created yet, or removed by hand
    }
    try {
      const { size } = await file.stat();
      if (size < this.offset) {
        // Truncated or replaced (log rotation): start over.
        this.offset = 0;
        this.pending = "";
        this.decoder = new StringDecoder("utf8");
      }
      const { buffer } = this;
      while (this.offset < size) {
        const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, size - this.offset), this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        const lines = (this.pending + this.decoder.write(buffer.subarray(0, bytesRead))).split("\n");
        this.pending = lines.pop() ?? "";
        for (const line of lines) this.onLine(line);
      }
    } finally {
      await file.close();
    }
  }
}
