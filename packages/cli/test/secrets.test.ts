import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_INTERNAL_SECRET, DEFAULT_KEYS_SECRET } from "@comptoir/contracts";
import { deriveServiceCredential } from "@comptoir/platform/service-credentials";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { secretsCommand } from "../src/commands/secrets.command";
import { UsageError, UserError } from "../src/errors";
import { findSecrets, loadOrCreateSecrets } from "../src/launcher/secrets-file";

let dir: string;
const file = () => join(dir, "secrets.json");

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "comptoir-secrets-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the data folder's secrets", () => {
  it("are generated on the first start, 0600 whatever the umask, and the same on the next", () => {
    const umask = process.umask(0);
    let first;
    try {
      first = loadOrCreateSecrets(dir);
    } finally {
      process.umask(umask);
    }
    expect(first.created).toBe(true);
    expect(statSync(file()).mode & 0o777).toBe(0o600);
    expect(first.secrets.internalSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.secrets.keysSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first.secrets.internalSecret).not.toBe(first.secrets.keysSecret);
    expect(JSON.parse(readFileSync(file(), "utf8"))).toEqual(first.secrets);

    const second = loadOrCreateSecrets(dir);
    expect(second).toEqual({ path: file(), secrets: first.secrets, created: false, narrowed: false });
  });

  it.each([
    ["an embedded cluster", "postgres/PG_VERSION"],
    ["identity's log", "logs/identity-1.log"],
  ])("keep the development KEYS_SECRET for a data folder where identity ran before (%s)", (_, path) => {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), "");
    const { secrets, created } = loadOrCreateSecrets(dir);
    expect(created).toBe(true);
    expect(secrets.keysSecret).toBe(DEFAULT_KEYS_SECRET);
    expect(secrets.internalSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secrets.internalSecret).not.toBe(DEFAULT_INTERNAL_SECRET);
  });

  it("narrows a file readable by others to 0600, and refuses a file without both secrets", () => {
    loadOrCreateSecrets(dir);
    chmodSync(file(), 0o644);
    expect(loadOrCreateSecrets(dir).narrowed).toBe(true);
    expect(statSync(file()).mode & 0o777).toBe(0o600);

    writeFileSync(file(), JSON.stringify({ internalSecret: "x" }));
    expect(() => loadOrCreateSecrets(dir)).toThrow(UserError);
    expect(() => loadOrCreateSecrets(dir)).toThrow(/secrets\.json must hold/);
    writeFileSync(file(), "not json");
    expect(() => loadOrCreateSecrets(dir)).toThrow(/cannot read .*secrets\.json/);
  });

  it("are only read, never created, by findSecrets", () => {
    expect(findSecrets(dir)).toBeUndefined();
    expect(() => statSync(file())).toThrow();
  });
});

describe("comptoir secrets credential <service>", () => {
  function run(args: string[], env: Record<string, string> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const code = secretsCommand(args, {
      env: { COMPTOIR_DATA: dir, ...env },
      cwd: "/nowhere",
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });
    return { code, out, err };
  }

  it("prints the service's credential derived from INTERNAL_SECRET, and nothing else", () => {
    // printf %s comptoir-service-credential:cart | openssl dgst -sha256 -hmac abc
    expect(run(["credential", "cart"], { INTERNAL_SECRET: "abc" })).toEqual({
      code: 0,
      out: ["8e84ddb9ea816209f3f6771401aec21a7606a06b59409bfa19174493713f106a"],
      err: [],
    });
  });

  it("reads INTERNAL_SECRET from the data folder's secrets.json when it is not set", () => {
    const { secrets } = loadOrCreateSecrets(dir);
    expect(run(["credential", "orders"]).out).toEqual([deriveServiceCredential(secrets.internalSecret, "orders")]);
    expect(run(["credential", "gateway"]).out).toEqual([deriveServiceCredential(secrets.internalSecret, "gateway")]);
    expect(run(["credential", "orders"], { INTERNAL_SECRET: "explicit" }).out).toEqual([
      deriveServiceCredential("explicit", "orders"),
    ]);
  });

  it("warns that the development INTERNAL_SECRET is refused in production", () => {
    const { out, err } = run(["credential", "supply"], { INTERNAL_SECRET: DEFAULT_INTERNAL_SECRET });
    expect(out).toEqual([deriveServiceCredential(DEFAULT_INTERNAL_SECRET, "supply")]);
    expect(err).toEqual([expect.stringMatching(/development default: production refuses it/)]);
  });

  it("says what is missing or wrong in one line", () => {
    expect(() => run(["credential", "payments"])).toThrow(
      new UsageError(
        'secrets credential: no credential for "payments" — one of: supply, orders, retail, cart, gateway',
      ),
    );
    expect(() => run(["credential"])).toThrow(/which service\?/);
    expect(() => run(["rotate"])).toThrow(/secrets: unknown command "rotate"/);
    expect(() => run(["credential", "cart"])).toThrow(UserError);
    expect(() => run(["credential", "cart"])).toThrow(/set INTERNAL_SECRET \(identity's\)/);
    expect(run([]).code).toBe(2);
  });
});
