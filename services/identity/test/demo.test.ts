import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { API_KEY_PATTERN, API_KEY_RESOLVE_PATH, DEFAULT_INTERNAL_SECRET, DEMO_STORES } from "@comptoir/contracts";
import { loadConfig } from "@comptoir/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../src/config";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo } from "../src/seed/demo";
import { assertProductionReady } from "../src/production";
import { settingsFromConfig } from "../src/model/settings";
import { fromGateway, type Identity, login, outbox, startIdentity } from "./harness";

let identity: Identity;
let dir: string;

beforeAll(async () => {
  identity = await startIdentity("identity_demo");
  dir = await mkdtemp(join(tmpdir(), "identity-demo-"));
});
afterAll(async () => {
  await identity?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const deps = () => ({ db: identity.db, outbox: identity.bus.outbox });
const STRONG_SECRET = "x7Kq2mVn9pLw4rTz8bYc3dFh6jMs1aGe";
const STRONG_INTERNAL_SECRET = "Qe4Rt7Yu1Io9Pa3Sd6Fg2Hj8Kl5Zx0Cv";

describe("demo mode", () => {
  it("seeds the six accounts (a cashier per demo store) and one API key per tier once, and writes the keys file (0600)", async () => {
    const keysFile = join(dir, "demo-api-keys.json");
    const first = await seedDemo(deps(), { keysFile });
    expect(first.createdAccounts.sort()).toEqual(DEMO_ACCOUNTS.map((a) => a.email).sort());
    expect(first.createdApiKeys.map((k) => k.tier)).toEqual(["admin", "frontend", "mobile", "partner"]);

    const written = JSON.parse(await readFile(keysFile, "utf8"));
    expect(written).toEqual(first.createdApiKeys);
    for (const k of written) expect(k.key).toMatch(new RegExp(API_KEY_PATTERN));
    expect((await stat(keysFile)).mode & 0o777).toBe(0o600);

    // Idempotent: a second run (another instance, a restart) creates nothing and keeps the file.
    const second = await seedDemo(deps(), { keysFile });
    expect(second).toEqual({ createdAccounts: [], createdApiKeys: [] });
    expect(JSON.parse(await readFile(keysFile, "utf8"))).toEqual(written);
    const { rows } = await identity.db.query(
      "SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM api_keys WHERE demo) AS keys",
    );
    expect(rows[0]).toEqual({ users: 6, keys: 4 });
    expect((await outbox(identity)).filter((e) => e.type === "identity.user.registered")).toHaveLength(6);

    // The accounts work as SPEC §6 says; the keys resolve.
    for (const account of DEMO_ACCOUNTS) {
      const session = await login(identity, account.email, DEMO_PASSWORD);
      const me = await identity.api.get("/api/identity/me", session.auth);
      expect(me.body).toMatchObject({ role: account.role, storeId: account.storeId });
    }
    // A cashier per demo store; clerk@ and the manager in store 1.
    const clerks = DEMO_ACCOUNTS.filter((a) => a.role === "clerk");
    expect(clerks.map((a) => [a.email, a.storeId])).toEqual([
      ["clerk@demo.comptoir.dev", DEMO_STORES[0].storeId],
      ["clerk2@demo.comptoir.dev", DEMO_STORES[1].storeId],
      ["clerk3@demo.comptoir.dev", DEMO_STORES[2].storeId],
    ]);
    expect(DEMO_ACCOUNTS.find((a) => a.role === "manager")!.storeId).toBe(DEMO_STORES[0].storeId);
    const resolved = await identity.api.post(
      API_KEY_RESOLVE_PATH,
      { key: written[3].key },
      fromGateway(identity, "POST", API_KEY_RESOLVE_PATH),
    );
    expect(resolved.body).toMatchObject({ name: "demo-partner", tier: "partner" });
  });

  it("seeding concurrently from several instances still creates each account and key once", async () => {
    await identity.db.query("DELETE FROM refresh_tokens; DELETE FROM users; DELETE FROM api_keys");
    const results = await Promise.all([seedDemo(deps()), seedDemo(deps()), seedDemo(deps())]);
    expect(results.flatMap((r) => r.createdAccounts)).toHaveLength(DEMO_ACCOUNTS.length);
    expect(results.flatMap((r) => r.createdApiKeys)).toHaveLength(4);
  });
});

describe("production mode", () => {
  const check = (input: Partial<Parameters<typeof assertProductionReady>[1]> = {}) =>
    assertProductionReady(identity.db, {
      nodeEnv: "production",
      demo: false,
      keysSecret: STRONG_SECRET,
      internalSecret: STRONG_INTERNAL_SECRET,
      ...input,
    });

  it("refuses demo mode, the development or a short KEYS_SECRET, with one clear line", async () => {
    await expect(check({ demo: true })).rejects.toThrow(/COMPTOIR_DEMO/);
    await expect(check({ keysSecret: "comptoir-development-secret" })).rejects.toThrow(/development KEYS_SECRET/);
    await expect(check({ keysSecret: "short-secret" })).rejects.toThrow(/at least 32 characters/);
    const message = await check({ demo: true }).catch((error: Error) => error.message);
    expect(message).not.toContain("\n");
  });

  it("refuses the development or a short INTERNAL_SECRET, with one clear line", async () => {
    await expect(check({ internalSecret: DEFAULT_INTERNAL_SECRET })).rejects.toThrow(
      /^refusing to start in production with the development INTERNAL_SECRET: set a random secret$/,
    );
    await expect(check({ internalSecret: "short-secret" })).rejects.toThrow(
      /^refusing to start in production: INTERNAL_SECRET must be at least 32 characters long$/,
    );
    await expect(check({ internalSecret: STRONG_SECRET.slice(0, 31) })).rejects.toThrow(/INTERNAL_SECRET/);
  });

  it("refuses a database holding active demo accounts or unrevoked demo API keys, and starts once they are gone", async () => {
    await seedDemo(deps());
    await expect(check()).rejects.toThrow(/active demo account/);
    await identity.db.query("UPDATE users SET active = false WHERE email LIKE '%@demo.comptoir.dev'");
    await expect(check()).rejects.toThrow(/unrevoked demo API key/);
    await identity.db.query("UPDATE api_keys SET revoked_at = now() WHERE demo");
    await expect(check()).resolves.toBeUndefined();
  });

  it("checks nothing outside production", async () => {
    await expect(
      check({
        nodeEnv: "development",
        demo: true,
        keysSecret: "comptoir-development-secret",
        internalSecret: DEFAULT_INTERNAL_SECRET,
      }),
    ).resolves.toBeUndefined();
  });
});

describe("configuration", () => {
  const base = { DATABASE_URL: "postgres://localhost/identity", EVENT_LOG_URL: "postgres://localhost/events" };

  it("has the documented defaults", () => {
    const config = loadConfig(configSchema, base);
    expect(config).toMatchObject({
      PORT: 3001,
      ACCESS_TOKEN_TTL_SECONDS: 900,
      REFRESH_TOKEN_TTL_DAYS: 30,
      KEYS_SECRET: "comptoir-development-secret",
      INTERNAL_SECRET: DEFAULT_INTERNAL_SECRET,
      SERVICE_TOKEN_TTL_SECONDS: 300,
      COMPTOIR_DEMO: false,
      LOGIN_MAX_FAILURES_PER_ACCOUNT: 5,
      LOGIN_MAX_FAILURES_PER_IP: 50,
      LOGIN_FAILURE_WINDOW_SECONDS: 900,
      SIGNING_KEY_ROTATION_DAYS: 30,
    });
    expect(settingsFromConfig(config).loginThrottle).toEqual({
      maxFailuresPerAccount: 5,
      maxFailuresPerIp: 50,
      windowSeconds: 900,
    });
  });

  it("reads COMPTOIR_DEMO as true/1/false/0 and rejects anything else", () => {
    expect(loadConfig(configSchema, { ...base, COMPTOIR_DEMO: "true" }).COMPTOIR_DEMO).toBe(true);
    expect(loadConfig(configSchema, { ...base, COMPTOIR_DEMO: "1" }).COMPTOIR_DEMO).toBe(true);
    expect(loadConfig(configSchema, { ...base, COMPTOIR_DEMO: "false" }).COMPTOIR_DEMO).toBe(false);
    expect(loadConfig(configSchema, { ...base, COMPTOIR_DEMO: "0" }).COMPTOIR_DEMO).toBe(false);
    expect(() => loadConfig(configSchema, { ...base, COMPTOIR_DEMO: "maybe" })).toThrow(/COMPTOIR_DEMO/);
  });

  it("reads INTERNAL_SECRET and SERVICE_TOKEN_TTL_SECONDS (60-3600) into the settings", () => {
    const config = loadConfig(configSchema, {
      ...base,
      INTERNAL_SECRET: STRONG_INTERNAL_SECRET,
      SERVICE_TOKEN_TTL_SECONDS: "600",
    });
    expect(settingsFromConfig(config)).toMatchObject({
      internalSecret: STRONG_INTERNAL_SECRET,
      serviceTokenTtlSeconds: 600,
    });
    expect(() => loadConfig(configSchema, { ...base, SERVICE_TOKEN_TTL_SECONDS: "30" })).toThrow(
      /SERVICE_TOKEN_TTL_SECONDS must be the service-token lifetime in seconds \(60-3600\)/,
    );
  });
});
