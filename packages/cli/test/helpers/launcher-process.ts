import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const cliRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI_BUNDLE = join(cliRoot, "dist", "main.js");
export const FAKE_SERVICE = join(cliRoot, "test", "fixtures", "fake-service.mjs");

/**
 * Bundles the CLI as scripts/build.mjs does, but only this entry: the launcher's tests must run the
 * current sources without depending on every service building.
 */
export async function buildCli(): Promise<void> {
  await build({
    entryPoints: [join(cliRoot, "src", "main.ts")],
    outfile: CLI_BUNDLE,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: "linked",
    logLevel: "warning",
    conditions: ["source"],
    plugins: [
      {
        name: "external-npm",
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) =>
            args.path.startsWith("@comptoir/") ? undefined : { path: args.path, external: true },
          );
        },
      },
    ],
  });
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
