import { appendFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { attentionLine, LogFollower } from "../src/launcher/child-output";

describe("which service output reaches the console", () => {
  it("skips info and debug log lines", () => {
    expect(attentionLine('{"level":30,"msg":"listening"}')).toBeUndefined();
    expect(attentionLine('{"level":20,"msg":"query"}')).toBeUndefined();
  });

  it("shows warnings and errors in a short form, with the error's message", () => {
    expect(attentionLine('{"level":40,"time":1,"msg":"slow query"}')).toEqual({ level: "warn", message: "slow query" });
    expect(
      attentionLine('{"level":50,"msg":"relay failed","err":{"type":"Error","message":"connection reset"}}'),
    ).toEqual({ level: "error", message: "relay failed — connection reset" });
    expect(attentionLine('{"level":60,"msg":"cannot start"}')).toEqual({ level: "fatal", message: "cannot start" });
  });

  it("understands level labels too", () => {
    expect(attentionLine('{"level":"warn","msg":"careful"}')).toEqual({ level: "warn", message: "careful" });
  });

  it("skips access-log lines of health checks (a 503 while starting is expected)", () => {
    const line = '{"level":50,"method":"GET","url":"/health/ready","status":503,"msg":"request completed"}';
    expect(attentionLine(line)).toBeUndefined();
  });

  it("shows output that is not a log line (a crash, a configuration error), but not blank lines", () => {
    expect(attentionLine("catalog: invalid configuration: PORT must be a port number")).toEqual({
      level: "raw",
      message: "catalog: invalid configuration: PORT must be a port number",
    });
    expect(attentionLine("   ")).toBeUndefined();
  });
});

describe("following a service's log file", () => {
  it("hands over complete new lines only, from where the file ended, and starts over when truncated", async () => {
    const dir = await mkdtemp(join(tmpdir(), "comptoir-follow-"));
    try {
      const file = join(dir, "catalog-1.log");
      writeFileSync(file, "an earlier run\n");
      const lines: string[] = [];
      const follower = new LogFollower(file, (line) => lines.push(line));

      appendFileSync(file, "first\nsecond, é");
      await follower.poll();
      expect(lines).toEqual(["first"]);

      appendFileSync(file, "té\n");
      await follower.poll();
      expect(lines).toEqual(["first", "second, été"]);

      writeFileSync(file, "rotated\n");
      await follower.poll();
      expect(lines).toEqual(["first", "second, été", "rotated"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
