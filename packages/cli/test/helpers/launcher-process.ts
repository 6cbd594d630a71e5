import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const cliRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI_BUNDLE = join(cliRoot, "dist", "main.js");
export const FAKE_SERVICE = join(cliRoot, "test", "fixtures", "fake-service.mjs");

/**
 * The launcher's tests run the bundle `npm test` builds first (scripts/build.mjs), the same file
 * `npm start` runs; they do not rebuild it, so they never race the end-to-end test that uses it.
 */
export function assertCliBuilt(): void {
  if (!existsSync(CLI_BUNDLE)) throw new Error(`${CLI_BUNDLE} is missing: run \`npm run build\` (npm test does)`);
}

/** A `comptoir` process whose output is collected, with helpers to wait on it. */
export class LauncherProcess {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  readonly exited: Promise<number | null>;

  constructor(args: string[], options: { cwd: string; env: Record<string, string | undefined> }) {
    this.child = spawn(process.execPath, [CLI_BUNDLE, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk;
    });
    this.child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.stdout)) {
      if (this.child.exitCode !== null) throw new Error(`exited before ${pattern}:\n${this.stdout}\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${this.stdout}\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Command lines of running processes that mention `needle` (the fixture, a data folder). */
export function processesMentioning(needle: string): string[] {
  const lines = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" }).split("\n");
  return lines.filter((line) => line.includes(needle) && !line.includes("ps -eo"));
}
