import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseRuntimeInfo, readRuntimeFile, removeRuntimeFile, writeRuntimeFile } from "../src/launcher/runtime-file";

describe("runtime.json", () => {
  let dir: string;
  const file = () => join(dir, "runtime.json");

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "comptoir-runtime-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("is written whole, readable by its owner only, and read back while its launcher runs", () => {
    const info = {
      pid: process.pid,
      gatewayUrl: "http://127.0.0.1:8080",
      eventLogUrl: "postgres://postgres:secret@127.0.0.1:5433/comptoir_events",
    };
    writeRuntimeFile(dir, info);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file(), "utf8"))).toEqual(info);
    expect(readRuntimeFile(dir)).toEqual({ state: "running", info, path: file() });
  });

  it("is stale once its launcher is gone, and absent when missing or not one of ours", () => {
    const dead = spawnSync("true").pid as number;
    writeRuntimeFile(dir, { pid: dead, gatewayUrl: "http://127.0.0.1:8080", natsUrl: "nats://127.0.0.1:4222" });
    expect(readRuntimeFile(dir)).toMatchObject({ state: "stale", info: { pid: dead } });
    writeFileSync(file(), "not json");
    expect(readRuntimeFile(dir)).toEqual({ state: "absent", path: file() });
    expect(readRuntimeFile(join(dir, "nowhere"))).toMatchObject({ state: "absent" });
  });

  it("keeps only the fields it knows", () => {
    expect(parseRuntimeInfo('{"pid": 12, "gatewayUrl": "http://h:1", "natsPrefix": "shop", "extra": 1}')).toEqual({
      pid: 12,
      gatewayUrl: "http://h:1",
      natsPrefix: "shop",
    });
    expect(
      parseRuntimeInfo('{"pid": 12, "gatewayUrl": "http://h:1", "services": {"catalog": ["http://h:2"], "cart": "x"}}'),
    ).toEqual({ pid: 12, gatewayUrl: "http://h:1", services: { catalog: ["http://h:2"] } });
    expect(parseRuntimeInfo('{"pid": "12", "gatewayUrl": "http://h:1"}')).toBeUndefined();
  });

  it("is removed by its own launcher, or when its launcher is gone, but not from under a live one", () => {
    writeRuntimeFile(dir, { pid: process.pid, gatewayUrl: "http://127.0.0.1:8080" });
    removeRuntimeFile(dir);
    expect(existsSync(file())).toBe(false);

    const other = spawn("sleep", ["10"]);
    try {
      writeRuntimeFile(dir, { pid: other.pid as number, gatewayUrl: "http://127.0.0.1:8080" });
      removeRuntimeFile(dir);
      expect(existsSync(file())).toBe(true);
    } finally {
      other.kill();
    }
    const dead = spawnSync("true").pid as number;
    writeRuntimeFile(dir, { pid: dead, gatewayUrl: "http://127.0.0.1:8080" });
    removeRuntimeFile(dir);
    expect(existsSync(file())).toBe(false);
  });
});
