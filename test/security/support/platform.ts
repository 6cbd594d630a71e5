import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Role } from "@comptoir/contracts";
import { Agent, fetch as undiciFetch } from "undici";
import { expect, inject } from "vitest";
import "../setup/platform.global";

/**
 * The security suite's view of the platform booted once by setup/platform.global.ts: its base URL,
 * the demo accounts (password `comptoir-demo`), their tokens, the demo API keys, and `call` — a
 * request through the gateway from a chosen client address (any 127.x.y.z), so that a file's
 * traffic does not spend another file's rate-limit budget.
 */
export const platform = () => inject("securityPlatform");
export const DEMO_PASSWORD = "comptoir-demo";
export const DEMO_EMAILS: Record<Exclude<Role, never>, string> = {
  admin: "admin@demo.comptoir.dev",
  manager: "manager@demo.comptoir.dev",
  clerk: "clerk@demo.comptoir.dev",
  customer: "customer@demo.comptoir.dev",
} as Record<Role, string>;

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

export interface CallOptions {
  token?: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /** JSON-encoded unless a string (sent as is). */
  body?: unknown;
  /** The client's source address on loopback (default 127.0.0.1). */
  from?: string;
}

const agents = new Map<string, Agent>();
function agentFor(address: string): Agent {
  let agent = agents.get(address);
  if (!agent) {
    // The agent's own `localAddress`: undici 7 overrides `connect.localAddress` with it (undefined).
    agent = new Agent({ localAddress: address, keepAliveTimeout: 2_000 });
    agents.set(address, agent);
  }
  return agent;
}

export async function call(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.apiKey) headers["x-api-key"] = options.apiKey;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await undiciFetch(platform().base + path, {
    method,
    headers,
    body,
    dispatcher: agentFor(options.from ?? "127.0.0.1"),
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers as unknown as Headers, text, body: parsed };
}

const sessions = new Map<string, Promise<{ token: string; refreshToken: string; userId: string }>>();

/** A demo account's session (logged in once per file and address). */
export function session(role: Role, from = "127.0.0.1") {
  const key = `${role}@${from}`;
  let pending = sessions.get(key);
  if (!pending) {
    pending = call("POST", "/api/identity/login", {
      body: { email: DEMO_EMAILS[role], password: DEMO_PASSWORD },
      from,
    }).then((res) => {
      expect(res.status, `login as ${role}: ${res.text}`).toBe(200);
      return { token: res.body.token, refreshToken: res.body.refreshToken, userId: res.body.user.id };
    });
    sessions.set(key, pending);
  }
  return pending;
}

export const token = async (role: Role, from?: string) => (await session(role, from)).token;

/** The demo API keys, by tier, as the launcher wrote them in the data folder. */
export function demoApiKeys(): Record<string, string> {
  const raw = JSON.parse(readFileSync(join(platform().dataDir, "demo-api-keys.json"), "utf8"));
  const keys: Record<string, string> = {};
  for (const entry of Array.isArray(raw) ? raw : (raw.keys ?? Object.values(raw))) {
    if (entry && typeof entry === "object" && "tier" in entry && "key" in entry) keys[entry.tier] = entry.key;
  }
  return keys;
}

/** A new customer account (registered through the gateway), logged in. */
export async function newCustomer(from = "127.0.0.1") {
  const email = `sec-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const password = "a long enough passphrase";
  const registered = await call("POST", "/api/identity/register", {
    body: { email, password, name: "Security Test" },
    from,
  });
  expect(registered.status, registered.text).toBe(201);
  const login = await call("POST", "/api/identity/login", { body: { email, password }, from });
  expect(login.status, login.text).toBe(200);
  return {
    email,
    password,
    token: login.body.token as string,
    refreshToken: login.body.refreshToken as string,
    userId: login.body.user.id as string,
  };
}

/** Every error answer is problem+json with a code, and never shows a stack or internals. */
export function expectProblem(answer: Answer, status?: number, code?: string): void {
  if (status !== undefined) expect(answer.status, answer.text).toBe(status);
  expect(answer.headers.get("content-type"), answer.text).toMatch(/^application\/problem\+json/);
  expect(answer.body, answer.text).toMatchObject({ status: answer.status, code: expect.any(String) });
  if (code !== undefined) expect(answer.body.code, answer.text).toBe(code);
  // A stack frame names its file and position: "at fn (/app/x.js:1:2)", not "compare-at price (5)".
  expect(answer.text).not.toMatch(/\bat [\w.<>]+ \([^)]*:\d+:\d+\)|node_modules|\/src\/|\.ts:\d+|stack/i);
}
