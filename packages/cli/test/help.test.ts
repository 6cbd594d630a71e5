import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asksForHelp } from "../src/commands/help.command";
import { assertCliBuilt, CLI_BUNDLE } from "./helpers/launcher-process";

let cwd: string;
beforeAll(async () => {
  assertCliBuilt();
  cwd = await mkdtemp(join(tmpdir(), "comptoir-help-"));
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

/** Runs the built `comptoir` in an empty folder: exit code and output. */
function comptoir(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_BUNDLE, ...args],
      { cwd, env: { ...process.env, NO_COLOR: "1", COMPTOIR_DATA: join(cwd, ".data") }, timeout: 15_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("--help on every command", () => {
  const commands: [string[], RegExp][] = [
    [["up"], /^Usage: comptoir up \[--instances <service>=<n>\]\n/],
    [["up", "--instances", "catalog=2"], /^Usage: comptoir up /],
    [["service"], /^Usage: comptoir service <name>\n/],
    [["service", "catalog"], /^Usage: comptoir service <name>\n/],
    [["events"], /^Usage: comptoir events <command>\n/],
    [["events", "tail"], /^Usage: comptoir events <command>\n/],
    [["inventory", "verify"], /^Usage: comptoir inventory <command>\n/],
    [["retail", "verify"], /^Usage: comptoir retail <command>\n/],
    [["secrets", "credential"], /^Usage: comptoir secrets <command>\n/],
  ];

  for (const [args, usage] of commands) {
    for (const flag of ["--help", "-h"]) {
      it(`comptoir ${args.join(" ")} ${flag} prints its usage and exits 0`, async () => {
        const run = await comptoir(...args, flag);

        expect(run.stderr).toBe("");
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(usage);
      });
    }
  }

  it("starts nothing: comptoir up --help leaves no data folder", async () => {
    await comptoir("up", "--help");

    expect(existsSync(join(cwd, ".data"))).toBe(false);
  });

  it("comptoir help <command> prints that command's usage, comptoir --help the list of commands", async () => {
    expect(await comptoir("help", "service")).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^Usage: comptoir service/),
    });
    const top = await comptoir("--help");
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^Usage: comptoir <command>\n/);
    expect(top.stdout).toContain("comptoir <command> --help");
  });

  it("an unknown option is still a usage error, which names the command's --help", async () => {
    const run = await comptoir("up", "--nope");

    expect(run.code).toBe(2);
    expect(run.stderr).toBe("comptoir: up: unknown option --nope (see comptoir up --help)\n");
  });
});

describe("asksForHelp", () => {
  it("sees --help or -h anywhere before --, and nothing after it", () => {
    expect(asksForHelp(["--instances", "catalog=2", "-h"])).toBe(true);
    expect(asksForHelp(["--help"])).toBe(true);
    expect(asksForHelp(["--", "--help"])).toBe(false);
    expect(asksForHelp(["--instances", "catalog=2"])).toBe(false);
  });
});
