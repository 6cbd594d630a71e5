import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors";
import { isProcessAlive, processStartTime } from "../system/processes";

export const LOCK_FILE = "comptoir.pid";

export interface DataLock {
  readonly path: string;
  release(): void;
}

interface LockOwner {
  pid: number;
  startTime: string | undefined;
}

/** The file holds the pid, then the process start time that tells a reused pid apart. */
function format(owner: LockOwner): string {
  return `${owner.pid}\n${owner.startTime ?? ""}\n`;
}

function parse(text: string): LockOwner | undefined {
  const [pid, startTime] = text.split("\n");
  const value = Number(pid);
  if (!Number.isInteger(value) || value <= 0) return undefined;
  return { pid: value, startTime: startTime || undefined };
}

function isRunning(owner: LockOwner): boolean {
  if (owner.pid === process.pid || !isProcessAlive(owner.pid)) return false;
  // After a reboot or in a new container the pid may belong to an unrelated process.
  const startTime = processStartTime(owner.pid);
  return !(owner.startTime && startTime && owner.startTime !== startTime);
}

/**
 * Makes this process the only launcher using `dataDir`. A lock left by a launcher that died is
 * taken over; a live one is refused with a message naming its pid.
 */
export function acquireDataLock(dataDir: string): DataLock {
  const path = join(dataDir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, startTime: processStartTime(process.pid) };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, format(me), { flag: "wx" });
      return {
        path,
        release() {
          try {
            if (parse(readFileSync(path, "utf8"))?.pid === me.pid) unlinkSync(path);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let owner: LockOwner | undefined;
    try {
      owner = parse(readFileSync(path, "utf8"));
    } catch {
      owner = undefined;
    }
    if (owner && isRunning(owner)) {
      throw new UserError(`another comptoir is running with data folder ${dataDir} (pid ${owner.pid})`);
    }
    try {
      unlinkSync(path);
    } catch {
      // another launcher removed it first; the next attempt decides
    }
  }
  throw new UserError(`could not lock the data folder ${dataDir} (${path})`);
}
