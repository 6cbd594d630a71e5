import { readFileSync } from "node:fs";

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reads /proc/<pid>/stat on Linux; undefined elsewhere or when the process is gone. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may contain spaces: split after it.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/**
 * True when the process exists. A zombie (exited, not yet reaped — common for orphans in a
 * container without an init process) counts as dead.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  return procStat(pid)?.[0] !== "Z";
}

/**
 * When the process started (clock ticks since boot, Linux only). Together with the pid it tells a
 * process apart from a later one that reused the pid.
 */
export function processStartTime(pid: number): string | undefined {
  return procStat(pid)?.[19];
}

/** The command line with its arguments joined by spaces, Linux only. */
export function processCommandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return undefined;
  }
}

/** Polls until the process is gone; false when it is still there after `timeoutMs`. */
export async function waitForProcessExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/** Sends a signal, ignoring a process that is already gone. */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Sends a signal to a whole process group (a child spawned `detached` leads its own group), so
 * anything the child itself started goes too.
 */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  // Windows has no process groups. Elsewhere, no fallback to the pid alone: once the group is
  // gone, that pid may already belong to someone else.
  if (process.platform === "win32") {
    signalProcess(pid, signal);
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    // the whole group is gone
  }
}
