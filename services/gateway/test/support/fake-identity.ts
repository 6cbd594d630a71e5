import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { API_KEY_RESOLVE_PATH, type ResolvedApiKey, REVOCATIONS_PATH, type RevocationEntry } from "@comptoir/contracts";
import type { JWK } from "jose";
import type { FakeUpstream } from "./fake-upstream";

/**
 * Identity at the HTTP edge, as the gateway uses it: readiness, the JWKS (keys can be published
 * while it runs: key rotation), and API-key resolution from a map the test edits (delete a key:
 * revoked). Counts the calls, so tests see caching and deduplication. Any other path echoes.
 */
export interface FakeIdentity extends FakeUpstream {
  jwks: { keys: JWK[] };
  apiKeys: Map<string, ResolvedApiKey>;
  jwksFetches: number;
  resolveCalls: number;
  /** The headers of the last API-key resolution (the fake checks no proof: identity's tests do). */
  lastResolveHeaders: IncomingHttpHeaders | undefined;
  /** Resolution answers after this many milliseconds. */
  resolveDelayMs: number;
  /** The revocation list, as identity's REVOCATIONS_PATH serves it (add entries: revoked). */
  revocations: RevocationEntry[];
}

export async function startFakeIdentity(): Promise<FakeIdentity> {
  const fake: FakeIdentity = {
    name: "identity",
    url: "",
    hits: [],
    healthy: true,
    healthDelayMs: 0,
    crash: false,
    release: () => {},
    close: async () => {},
    vanish: () => {},
    jwks: { keys: [] },
    apiKeys: new Map(),
    jwksFetches: 0,
    resolveCalls: 0,
    lastResolveHeaders: undefined,
    resolveDelayMs: 0,
    revocations: [],
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return;
    }
    const body = Buffer.concat(chunks).toString("utf8");
    const path = (req.url ?? "/").split("?")[0];
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (path === "/health/ready") return json(fake.healthy ? 200 : 503, { status: "ok" });
    if (path === "/api/identity/.well-known/jwks.json") {
      fake.jwksFetches += 1;
      return json(200, fake.jwks);
    }
    if (path === REVOCATIONS_PATH) {
      const after = Number(new URL(req.url ?? "/", "http://x").searchParams.get("after") ?? 0);
      const data = fake.revocations.filter((r) => r.id > after);
      return json(200, { data, cursor: data.at(-1)?.id ?? after, more: false });
    }
    if (path === API_KEY_RESOLVE_PATH && req.method === "POST") {
      fake.resolveCalls += 1;
      fake.lastResolveHeaders = req.headers;
      if (fake.resolveDelayMs > 0) await new Promise((r) => setTimeout(r, fake.resolveDelayMs));
      const resolved = fake.apiKeys.get((JSON.parse(body) as { key: string }).key);
      return resolved ? json(200, resolved) : json(404, { code: "api_key_not_found" });
    }
    fake.hits.push({
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      bodyLength: body.length,
      bodySha256: "",
    });
    return json(200, { instance: "identity", url: req.url, headers: req.headers });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.vanish = () => {
    fake.healthDelayMs = 3_600_000;
    server.close();
  };
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return fake;
}

/** A syntactically valid API key of a tier (API_KEY_PATTERN). */
export function apiKey(tier: ResolvedApiKey["tier"], seed: string): string {
  return `ck_${tier}_${seed.padEnd(43, "x").slice(0, 43)}`;
}
