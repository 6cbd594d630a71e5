import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireDataLock } from "../src/launcher/data-lock";
import { processStartTime } from "../src/system/processes";

describe("data folder lock", () => {
  let dir: string;
  const lockFile = () => join(dir, "comptoir.pid");

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "comptoir-lock-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("records this process and removes the file on release", () => {
    const lock = acquireDataLock(dir);
    expect(readFileSync(lockFile(), "utf8").split("\n")[0]).toBe(String(process.pid));
    lock.release();
    expect(existsSync(lockFile())).toBe(false);
  });

  it("refuses while the process named in the lock is alive", () => {
    const other = spawn("sleep", ["10"]);
    try {
      const pid = other.pid as number;
      writeFileSync(lockFile(), `${pid}\n${processStartTime(pid) ?? ""}\n`);
      expect(() => acquireDataLock(dir)).toThrow(`another comptoir is running with data folder ${dir} (pid ${pid})`);
    } finally {
      other.kill();
    }
  });

  it("takes over a lock whose process is dead", () => {
    const dead = spawnSync("true").pid as number;
    writeFileSync(lockFile(), `${dead}\n\n`);
    acquireDataLock(dir).release();
  });

  it("takes over a lock whose pid now belongs to another process (a reboot, a new container)", () => {
    const other = spawn("sleep", ["10"]);
    try {
      writeFileSync(lockFile(), `${other.pid}\n1\n`);
      const lock = acquireDataLock(dir);
      expect(readFileSync(lockFile(), "utf8").split("\n")[0]).toBe(String(process.pid));
      lock.release();
    } finally {
      other.kill();
    }
  });
});
