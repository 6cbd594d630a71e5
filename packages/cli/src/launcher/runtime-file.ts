import { readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isProcessAlive } from "../system/processes";

export const RUNTIME_FILE = "runtime.json";

/**
 * What a running `comptoir up` tells the other commands (`comptoir events ...`) about itself, in
 * `<data folder>/runtime.json`. It holds the event log's URL with its password: mode 0600.
 */
export interface RuntimeInfo {
  /** The launcher's pid: the file is only believed while it runs. */
  pid: number;
  /** `http://127.0.0.1:<port>`. */
  gatewayUrl: string;
  /** The PostgreSQL event log's database (embedded mode). */
  eventLogUrl?: string;
  /** NATS JetStream (when NATS_URL was set). */
  natsUrl?: string;
  /** NATS_PREFIX, when the launcher was given one. */
  natsPrefix?: string;
  /** Demo mode: the admin commands may log in with the demo admin account. */
  demo?: boolean;
  /** Each backend service's instances, `http://127.0.0.1:<port>` (scripts/openapi-dump.mjs reads them). */
  services?: Record<string, string[]>;
}

export function runtimeFilePath(dataDir: string): string {
  return join(dataDir, RUNTIME_FILE);
}

/** Writes the file whole (a reader never sees half of it), readable by its owner only. */
export function writeRuntimeFile(dataDir: string, info: RuntimeInfo): void {
  const path = runtimeFilePath(dataDir);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** Removes the file if it is this process's (or unreadable, or left by a launcher that died). */
export function removeRuntimeFile(dataDir: string, pid: number = process.pid): void {
  const path = runtimeFilePath(dataDir);
  try {
    const found = parseRuntimeInfo(readFileSync(path, "utf8"));
    if (found && found.pid !== pid && isProcessAlive(found.pid)) return;
    unlinkSync(path);
  } catch {
    // already gone
  }
}

export type RuntimeLookup =
  | { state: "running"; info: RuntimeInfo; path: string }
  /** The file is there, but its launcher is gone (killed with SIGKILL, or the machine rebooted). */
  | { state: "stale"; info: RuntimeInfo; path: string }
  | { state: "absent"; path: string }
  /** There, but not ours to read (mode 0600: the platform runs as another user). */
  | { state: "unreadable"; path: string; reason: string };

/** The running platform's runtime.json in `dataDir`, if any. */
export function readRuntimeFile(dataDir: string): RuntimeLookup {
  const path = runtimeFilePath(dataDir);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { state: "absent", path };
    return { state: "unreadable", path, reason: code ?? (error as Error).message };
  }
  const info = parseRuntimeInfo(text);
  if (!info) return { state: "absent", path };
  return { state: isProcessAlive(info.pid) ? "running" : "stale", info, path };
}

export function parseRuntimeInfo(text: string): RuntimeInfo | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== "object") return undefined;
  const candidate = value as Record<string, unknown>;
  if (!Number.isInteger(candidate.pid) || typeof candidate.gatewayUrl !== "string") return undefined;
  const info: RuntimeInfo = { pid: candidate.pid as number, gatewayUrl: candidate.gatewayUrl };
  for (const key of ["eventLogUrl", "natsUrl", "natsPrefix"] as const) {
    if (typeof candidate[key] === "string") info[key] = candidate[key];
  }
  if (candidate.demo === true) info.demo = true;
  const services = candidate.services;
  if (services && typeof services === "object" && !Array.isArray(services)) {
    const entries = Object.entries(services).filter(
      (entry): entry is [string, string[]] =>
        Array.isArray(entry[1]) && entry[1].every((url: unknown) => typeof url === "string"),
    );
    if (entries.length > 0) info.services = Object.fromEntries(entries);
  }
  return info;
}
