import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ALL_SERVICES, type Permission, ROLE_PERMISSIONS, ROLES, type Role } from "@comptoir/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gatewayClient } from "./support/api";

/**
 * The one door, as a user meets it: the whole platform booted by the launcher in demo mode, three
 * catalog instances, everything through the gateway. Identity's and the gateway's own component
 * tests cover each rule in detail; this file checks that they hold together.
 */
const ROOT = join(import.meta.dirname, "..", "..");
const LAUNCHER = join(ROOT, "packages/cli/dist/main.js");
const DEMO_PASSWORD = "comptoir-demo";

let dataDir: string;
let base: string;
let launcher: ChildProcess;
let output = "";
const tokens = {} as Record<Role, string>;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k === "PORT" || k.endsWith("DATABASE_URL") || k.startsWith("COMPTOIR_")) continue;
    if (k.startsWith("UPSTREAM_") || k === "NODE_OPTIONS" || k.startsWith("VITEST") || k === "TEST") continue;
    if (k === "EVENT_LOG_URL" || k.startsWith("NATS_") || k.startsWith("RATE_LIMIT") || k === "REDIS_URL") continue;
    kept[k] = v;
  }
  return { ...kept, ...extra };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch((error: unknown) => error as T);
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${String(value)}\n${output}`);
    await sleep(200);
  }
}

async function call(method: string, path: string, options: { token?: string; body?: unknown; headers?: object } = {}) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body };
}

/** The gateway through the typed client (raw `call` stays for the tests about headers and the route matrix). */
const api = (token?: string) => gatewayClient(base, token);

async function login(email: string, password = DEMO_PASSWORD) {
  const res = await api().identity.POST("/api/identity/login", { body: { email, password } });
  expect(res.response.status, JSON.stringify(res.error)).toBe(200);
  return res.data!;
}

/** PID of one instance of the platform using our data folder. */
function pidOf(instance: string): number | undefined {
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, "utf8");
      if (environ.includes(`COMPTOIR_DATA=${dataDir}\0`) && environ.includes(`INSTANCE_ID=${instance}\0`))
        return Number(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}

/** How many GET /api/catalog/categories each catalog instance has answered (its own /metrics). */
async function servedByInstance(): Promise<Record<string, number>> {
  const health = (await (await fetch(`${base}/health/status`)).json()) as any;
  const counts: Record<string, number> = {};
  for (const instance of health.services.catalog.instances as { url: string }[]) {
    const text = await (await fetch(`${instance.url}/metrics`)).text();
    const line = text
      .split("\n")
      .find(
        (l) =>
          l.startsWith("http_requests_total{") &&
          l.includes('route="/api/catalog/categories"') &&
          l.includes('method="GET"') &&
          l.includes('status="200"'),
      );
    counts[instance.url] = line ? Number(line.split(" ").pop()) : 0;
  }
  return counts;
}

const delta = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(Object.entries(after).map(([url, n]) => [url, n - (before[url] ?? 0)]));

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "comptoir-e2e-gw-"));
  await chmod(dataDir, 0o755);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  launcher = spawn(process.execPath, [LAUNCHER, "up", "--instances", "catalog=3"], {
    cwd: ROOT,
    // Generous per-user and per-IP budgets: this file sends thousands of requests from one address.
    env: cleanEnv({
      PORT: String(port),
      COMPTOIR_DATA: dataDir,
      RATE_LIMIT_ANONYMOUS: "1000000",
      RATE_LIMIT_USER: "1000000",
    }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  launcher.stdout!.on("data", (d) => (output += d));
  launcher.stderr!.on("data", (d) => (output += d));
  await until(
    () => fetch(`${base}/health/status`).then((r) => r.status),
    (s) => s === 200,
    "the platform to be ready",
    120_000,
  );
  for (const role of ROLES) tokens[role] = (await login(`${role}@demo.comptoir.dev`)).token;
}, 150_000);

afterAll(async () => {
  if (launcher && launcher.exitCode === null) {
    const exited = new Promise((r) => launcher.once("exit", r));
    launcher.kill("SIGTERM");
    await Promise.race([exited, sleep(20_000)]);
    launcher.kill("SIGKILL");
  }
  await rm(dataDir, { recursive: true, force: true });
}, 30_000);

describe("demo mode", { timeout: 30_000 }, () => {
  it("prints the demo accounts and one API key per tier at first start", async () => {
    // The banner comes once the launcher itself has seen every service ready, which may be a moment
    // after this file's own readiness check.
    await until(
      async () => output,
      (o) => /admin@demo\.comptoir\.dev/.test(o) && /ck_partner_/.test(o),
      "the launcher's banner",
      10_000,
    );
    expect(output).toMatch(/admin@demo\.comptoir\.dev/);
    for (const tier of ["admin", "frontend", "mobile", "partner"]) {
      expect(output).toMatch(new RegExp(`${tier} +ck_${tier}_[A-Za-z0-9_-]{43}`));
    }
  });
});

describe("permissions through the gateway", { timeout: 60_000 }, () => {
  interface Protected {
    method: string;
    path: string;
    body?: unknown;
    permission: Permission;
  }
  const protectedRoutes = (): Protected[] => [
    {
      method: "POST",
      path: "/api/catalog/categories",
      body: { name: `Matrix ${Date.now()}` },
      permission: "catalog:write",
    },
    { method: "GET", path: "/api/identity/users", permission: "users:read" },
    { method: "GET", path: "/api/identity/api-keys", permission: "apikeys:manage" },
    ...ALL_SERVICES.filter((s) => s !== "gateway").map((service) => ({
      method: "GET",
      path: `/api/${service}/admin/events/status`,
      permission: "events:admin" as Permission,
    })),
  ];

  it("every protected route × every role → allowed exactly when the role holds the permission", async () => {
    const failures: string[] = [];
    for (const route of protectedRoutes()) {
      const anonymous = await call(route.method, route.path, { body: route.body });
      if (anonymous.status !== 401) failures.push(`${route.method} ${route.path} anonymous → ${anonymous.status}`);
      for (const role of ROLES) {
        const allowed = ROLE_PERMISSIONS[role].includes(route.permission);
        const res = await call(route.method, route.path, { token: tokens[role], body: route.body });
        const ok = allowed ? res.status >= 200 && res.status < 300 : res.status === 403;
        if (!ok) failures.push(`${route.method} ${route.path} as ${role} → ${res.status} ${JSON.stringify(res.body)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("ignores identity headers sent by the client", async () => {
    const spoofed = { "x-comptoir-role": "admin", "x-comptoir-user-id": "0192f5a0-0000-7000-8000-000000000001" };
    const body = { name: "Spoof" };
    expect((await call("POST", "/api/catalog/categories", { body, headers: spoofed })).status).toBe(401);
    const customer = await call("POST", "/api/catalog/categories", { body, headers: spoofed, token: tokens.customer });
    expect(customer.status).toBe(403);
  });

  it("refuses tampered, unsigned and garbage tokens with 401 problems", async () => {
    const [header, payload, signature] = tokens.customer.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, role: "admin" })).toString("base64url");
    const none = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    for (const token of [`${header}.${forged}.${signature}`, `${none}.${payload}.`, "garbage"]) {
      const res = await call("GET", "/api/identity/users", { token });
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    }
  });
});

describe("sessions", { timeout: 60_000 }, () => {
  it("refresh rotates; a spent refresh token revokes its family; logout revokes", async () => {
    const refresh = (refreshToken: string) => api().identity.POST("/api/identity/refresh", { body: { refreshToken } });
    const first = await login("customer@demo.comptoir.dev");
    const second = await refresh(first.refreshToken);
    expect(second.response.status).toBe(200);
    expect((await api(second.data!.token).identity.GET("/api/identity/me")).response.status).toBe(200);
    const reuse = await refresh(first.refreshToken);
    expect(reuse.response.status).toBe(401);
    const afterReuse = await refresh(second.data!.refreshToken);
    expect(afterReuse.response.status).toBe(401);

    const session = await login("customer@demo.comptoir.dev");
    const logout = await api().identity.POST("/api/identity/logout", { body: { refreshToken: session.refreshToken } });
    expect(logout.response.status).toBe(204);
    expect((await refresh(session.refreshToken)).response.status).toBe(401);
  });

  it("a signing-key rotation keeps existing sessions valid, and new tokens work everywhere", async () => {
    const before = await login("manager@demo.comptoir.dev");
    const rotated = await api(tokens.admin).identity.POST("/api/identity/admin/signing-keys/rotate");
    expect(rotated.response.status).toBeLessThan(300);
    const after = await login("manager@demo.comptoir.dev");
    const kid = (token: string) => JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()).kid;
    expect(kid(after.token)).not.toBe(kid(before.token));
    for (const token of [before.token, after.token]) {
      // The manager may read stock-related admin-free routes; /me goes through identity, the
      // category tree through catalog: both verify the token themselves, after the gateway.
      await until(
        () =>
          api(token)
            .identity.GET("/api/identity/me")
            .then((r) => r.response.status),
        (s) => s === 200,
        "identity to accept the token",
        10_000,
      );
      const denied = await api(token).catalog.POST("/api/catalog/categories", { body: { name: "Rotation" } });
      expect(denied.response.status).toBe(403); // verified (not 401), then refused for lack of catalog:write
    }
  });
});

describe("API keys and tiers", { timeout: 60_000 }, () => {
  it("the partner tier is cut at 500 requests an hour with 429, Retry-After and RateLimit headers", async () => {
    const keys = JSON.parse(readFileSync(join(dataDir, "demo-api-keys.json"), "utf8")) as {
      tier: string;
      key: string;
    }[];
    const partner = keys.find((k) => k.tier === "partner")!.key;
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 501; i += 25) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(25, 501 - i) }, () =>
          fetch(`${base}/api/catalog/categories`, { headers: { "x-api-key": partner } }),
        ),
      );
      for (const res of batch) {
        statuses.push(res.status);
        await res.arrayBuffer();
        last = res;
      }
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(500);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
    const refused = await fetch(`${base}/api/catalog/categories`, { headers: { apikey: partner } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.headers.get("ratelimit-limit")).toBe("500");
    expect(refused.headers.get("ratelimit-remaining")).toBe("0");
    expect(last).toBeDefined();

    const unknown = await fetch(`${base}/api/catalog/categories`, {
      headers: { "x-api-key": `ck_partner_${"x".repeat(43)}` },
    });
    expect(unknown.status).toBe(401);
  });
});

describe("load balancing and failover", { timeout: 120_000 }, () => {
  it("three catalog instances share 3,000 requests within ±10%", async () => {
    const before = await servedByInstance();
    expect(Object.keys(before)).toHaveLength(3);
    let sent = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (sent < 3000) {
          sent++;
          const res = await fetch(`${base}/api/catalog/categories`);
          expect(res.status).toBe(200);
          await res.arrayBuffer();
        }
      }),
    );
    const served = Object.values(delta(await servedByInstance(), before));
    expect(served.reduce((a, b) => a + b, 0)).toBe(3000);
    for (const n of served) expect(Math.abs(n - 1000)).toBeLessThanOrEqual(100);
  });

  it("kill -9 of one of three instances under steady load fails at most 0.1% of requests; even again within 5 s of its return", async () => {
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    // At least 1000 requests, however slow the machine, so that the failure ratio means something.
    const load = Promise.all(
      Array.from({ length: 10 }, async () => {
        while (!stop || ok + failures.length < 1000) {
          try {
            const res = await fetch(`${base}/api/catalog/categories`);
            await res.arrayBuffer();
            if (res.status === 200) ok++;
            else failures.push(String(res.status));
          } catch (error) {
            failures.push((error as Error).message);
          }
        }
      }),
    );
    await sleep(1500);
    const victim = pidOf("catalog-2")!;
    expect(victim).toBeDefined();
    process.kill(victim, "SIGKILL");
    // The supervisor restarts it; wait until the gateway routes to it again.
    const health = await until(
      async () => (await (await fetch(`${base}/health/status`)).json()) as any,
      (h: any) => pidOf("catalog-2") !== victim && h.services?.catalog?.instances?.every((i: any) => i.status === "up"),
      "catalog-2 back in the pool",
    );
    expect(health.services.catalog.instances).toHaveLength(3);
    await sleep(5000);
    stop = true;
    await load;
    const total = ok + failures.length;
    console.log(`failover: ${total} requests, ${failures.length} failed (${failures.slice(0, 5).join(", ")})`);
    expect(total).toBeGreaterThanOrEqual(1000);
    expect(failures.length / total).toBeLessThanOrEqual(0.001);

    // Within 5 s of its return, the three share the traffic evenly again: round-robin over three
    // healthy instances is exactly even. On two shared cores under CI's load (three platforms booting
    // in parallel) a health check can time out and take an instance out for a moment, so a window
    // may be skewed by that; up to three windows of 900 are tried and one must be within ±10%.
    const windows: number[][] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = await servedByInstance();
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          for (let i = 0; i < 90; i++) await (await fetch(`${base}/api/catalog/categories`)).arrayBuffer();
        }),
      );
      const served = Object.values(delta(await servedByInstance(), before));
      windows.push(served);
      if (served.length === 3 && served.every((n) => Math.abs(n - 300) <= 30)) break;
    }
    console.log(`after the return: ${windows.map((w) => w.join(" / ")).join(", ")} of 900`);
    const last = windows.at(-1)!;
    expect(last).toHaveLength(3);
    for (const n of last) expect(Math.abs(n - 300)).toBeLessThanOrEqual(30);
  });

  it("a frozen service gets a 503 problem with Retry-After while the rest of the platform keeps serving", async () => {
    const frozen = pidOf("reporting-1")!;
    process.kill(frozen, "SIGSTOP");
    try {
      const res = await until(
        () => call("GET", "/api/reporting/anything"),
        (r) => r.status === 503,
        "the gateway to retire reporting",
        30_000,
      );
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect((await call("GET", "/api/catalog/categories")).status).toBe(200);
    } finally {
      process.kill(frozen, "SIGCONT");
    }
    await until(
      () => call("GET", "/api/reporting/anything"),
      (r) => r.status === 404,
      "reporting to be routed again",
      30_000,
    );
  });
});
