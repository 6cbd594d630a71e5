import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import type { ServiceName } from "@comptoir/contracts";
import { signalGroup, sleep } from "../system/processes";
import { type AttentionLine, attentionLine, LogFollower } from "./child-output";

export interface InstanceSpec {
  /** `<service>-<n>`, e.g. `catalog-2`. */
  id: string;
  service: ServiceName;
  port: number;
  /** Base URL the launcher polls (`http://127.0.0.1:<port>`). */
  url: string;
  entry: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface InstanceEvents {
  /** A warning or error the service logged, or output that is not a log line. */
  onAttention(instance: SupervisedInstance, line: AttentionLine): void;
  /** The instance exited without being asked to; it restarts after `delayMs`. */
  onCrash(instance: SupervisedInstance, exit: Exit, delayMs: number): void;
  onRestart(instance: SupervisedInstance): void;
}

/** Restart backoff: 0.5 s doubling up to 30 s, back to 0.5 s once an instance stayed up a minute. */
export const BACKOFF = { initialMs: 500, maxMs: 30_000, stableAfterMs: 60_000 };
const FOLLOW_INTERVAL_MS = 250;

/**
 * One service instance as a child process, restarted with exponential backoff when it exits on its
 * own, stopped with SIGTERM (then SIGKILL) when asked.
 *
 * - It leads its own process group (`detached`) so that the terminal's Ctrl-C reaches only the
 *   launcher, which then stops services in order.
 * - It has an IPC channel: services exit by themselves when it closes, i.e. when the launcher dies
 *   without stopping them.
 * - Its stdout and stderr are its log file itself, not pipes to us: a service whose launcher died
 *   can still log (a write to a broken pipe could otherwise stall it before it exits). The
 *   launcher follows the file to echo warnings and errors.
 */
export class SupervisedInstance {
  private child: ChildProcess | undefined;
  private exited: Promise<Exit> | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private backoffMs = BACKOFF.initialMs;
  private startedAt = 0;
  private follower: LogFollower | undefined;
  private followTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly spec: InstanceSpec,
    private readonly events: InstanceEvents,
  ) {}

  get id(): string {
    return this.spec.id;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.stopping) return;
    this.followOutput();
    this.startedAt = Date.now();
    const log = openSync(this.spec.logFile, "a");
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [this.spec.entry], {
        cwd: this.spec.cwd,
        env: this.spec.env,
        detached: true,
        stdio: ["ignore", log, log, "ipc"],
      });
    } finally {
      closeSync(log);
    }
    this.child = child;
    // The IPC channel only signals our presence; a child that messages us is not an error.
    child.on("message", () => {});
    child.on("error", (error) => this.events.onAttention(this, { level: "error", message: error.message }));
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => resolve({ code, signal }));
      child.once("error", () => resolve({ code: -1, signal: null }));
    });
    void this.exited.then((exit) => this.onExit(child, exit));
  }

  /** SIGTERM (the service drains and exits 0), SIGKILL after `timeoutMs`. Never restarts after. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const { child, exited } = this;
    if (child && exited && isRunning(child)) {
      child.kill("SIGTERM");
      const exit = await Promise.race([exited, sleep(timeoutMs).then(() => undefined)]);
      if (!exit && child.pid) {
        signalGroup(child.pid, "SIGKILL");
        await exited;
      }
    }
    clearInterval(this.followTimer);
    await this.follower?.poll(); // its last words
  }

  /** Immediate SIGKILL, for a forced exit. */
  kill(): void {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.followTimer);
    if (this.child?.pid && isRunning(this.child)) signalGroup(this.child.pid, "SIGKILL");
  }

  private followOutput(): void {
    if (this.follower) return;
    const follower = new LogFollower(this.spec.logFile, (line) => {
      const attention = attentionLine(line);
      if (attention) this.events.onAttention(this, attention);
    });
    this.follower = follower;
    this.followTimer = setInterval(() => void follower.poll(), FOLLOW_INTERVAL_MS);
    this.followTimer.unref();
  }

  private onExit(child: ChildProcess, exit: Exit): void {
    // Whatever the service itself started goes with it.
    if (child.pid) signalGroup(child.pid, "SIGKILL");
    if (this.child === child) this.child = undefined;
    if (this.stopping) return;
    if (Date.now() - this.startedAt >= BACKOFF.stableAfterMs) this.backoffMs = BACKOFF.initialMs;
    const delayMs = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF.maxMs);
    // Show why it died before saying it did.
    void this.follower?.poll().then(() => {
      if (!this.stopping) this.events.onCrash(this, exit, delayMs);
    });
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.start();
      this.events.onRestart(this);
    }, delayMs);
  }
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** `exit code 1` or `signal SIGSEGV`. */
export function describeExit(exit: Exit): string {
  if (exit.signal) return `signal ${exit.signal}`;
  return exit.code === -1 ? "could not be started" : `exit code ${exit.code}`;
}
