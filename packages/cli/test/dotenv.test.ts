import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { deriveServiceCredential } from "@comptoir/platform/service-credentials";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadDotEnv } from "../src/config/dotenv";
import { UserError } from "../src/errors";
import { assertCliBuilt, CLI_BUNDLE } from "./helpers/launcher-process";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const FILE_SECRET = "a-secret-from-the-dot-env-file-of-this-folder";
const ENV_SECRET = "a-secret-from-the-environment-which-wins-over-it";

let cwd: string;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), "comptoir-dotenv-"));
});
afterEach(() => rm(cwd, { recursive: true, force: true }));

function credentialOfCart(env: Record<string, string | undefined>): Promise<{ code: number; stdout: string }> {
  assertCliBuilt();
  const clean = { ...process.env, INTERNAL_SECRET: undefined, COMPTOIR_DATA: join(cwd, ".data"), ...env };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_BUNDLE, "secrets", "credential", "cart"], { cwd, env: clean }, (error, stdout) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
    );
  });
}

describe(".env in the current folder", () => {
  it("is read by comptoir when present", async () => {
    writeFileSync(join(cwd, ".env"), `# a comment\nINTERNAL_SECRET=${FILE_SECRET}\n`);

    const run = await credentialOfCart({});

    expect(run).toEqual({ code: 0, stdout: `${deriveServiceCredential(FILE_SECRET, "cart")}\n` });
  });

  it("loses to a variable already set in the environment", async () => {
    writeFileSync(join(cwd, ".env"), `INTERNAL_SECRET=${FILE_SECRET}\n`);

    const run = await credentialOfCart({ INTERNAL_SECRET: ENV_SECRET });

    expect(run).toEqual({ code: 0, stdout: `${deriveServiceCredential(ENV_SECRET, "cart")}\n` });
  });

  it("is optional: without it, nothing changes", async () => {
    const env: NodeJS.ProcessEnv = { PORT: "9000" };

    expect(loadDotEnv(cwd, env)).toEqual([]);
    expect(env).toEqual({ PORT: "9000" });
  });

  it("sets only what is not set yet, even to an empty value, with quotes and comments understood", () => {
    writeFileSync(join(cwd, ".env"), 'PORT=8081\nHOST=0.0.0.0\nMAIL_FROM="Comptoir <shop@example.com>" # the sender\n');
    const env: NodeJS.ProcessEnv = { PORT: "9000", HOST: "" };

    expect(loadDotEnv(cwd, env)).toEqual(["MAIL_FROM"]);
    expect(env).toEqual({ PORT: "9000", HOST: "", MAIL_FROM: "Comptoir <shop@example.com>" });
  });

  it("that cannot be read is a user error naming it", () => {
    writeFileSync(join(cwd, ".env"), "PORT=1\n", { mode: 0o000 });
    // root reads any file: the case cannot be made there.
    if (process.getuid?.() === 0) return;

    expect(() => loadDotEnv(cwd, {})).toThrow(UserError);
  });
});

describe(".env.example", () => {
  it("lists every variable the README's Configuration section documents", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(
      readme.indexOf("## Configuration"),
      readme.indexOf("\n## ", readme.indexOf("## Configuration") + 1),
    );
    const documented = new Set<string>();
    for (const row of section.split("\n").filter((line) => line.startsWith("| `"))) {
      const firstCell = row.split("|")[1]!;
      for (const [, name] of firstCell.matchAll(/`([A-Z<][A-Z0-9_<>]*)`/g)) documented.add(name!);
    }
    expect(documented.size).toBeGreaterThan(50);
    const example = readFileSync(join(ROOT, ".env.example"), "utf8");
    // `<SERVICE>_DATABASE_URL` is shown with one service (`CATALOG_DATABASE_URL`).
    const listed = (name: string) => new RegExp(`^# ${name.replace("<SERVICE>", "[A-Z]+")}=`, "m").test(example);

    expect([...documented].filter((name) => !listed(name))).toEqual([]);
  });

  it("is valid for Node's .env parser, every line a comment or blank", async () => {
    const example = readFileSync(join(ROOT, ".env.example"), "utf8");
    const uncommented = example.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#"));

    expect(uncommented).toEqual([]);
    // Uncommented, each assignment parses to itself.
    writeFileSync(join(cwd, ".env"), example.replace(/^# ([A-Z][A-Z0-9_]*=)/gm, "$1"));
    const env: NodeJS.ProcessEnv = {};
    loadDotEnv(cwd, env);
    expect(env).toMatchObject({ PORT: "8080", MAIL_FROM: "Comptoir <no-reply@comptoir.local>" });
  });
});
