import type { AddressInfo } from "node:net";
import type { App } from "@comptoir/platform";
import { createLogger, type Logger } from "@comptoir/platform";

/** A logger for tests: silent unless TEST_LOG_LEVEL is set. */
export function testLogger(service: string): Logger {
  return createLogger({ service, instance: `${service}-test`, level: process.env.TEST_LOG_LEVEL ?? "silent" });
}

/** Listens on an ephemeral port of 127.0.0.1 and returns the base URL; close with `app.close()`. */
export async function listen(app: App): Promise<string> {
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A caller made by `http()`. */
export type TestApi = ReturnType<typeof http>;

/** fetch + JSON for tests: `http(base).post('/api/x', body)`. */
export function http(baseUrl: string, defaultHeaders: Record<string, string> = {}) {
  async function call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(baseUrl + path, {
      method,
      headers: {
        ...defaultHeaders,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = text && (res.headers.get("content-type") ?? "").includes("json") ? JSON.parse(text) : text;
    return { status: res.status, headers: res.headers, body: parsed as T } satisfies JsonResponse<T>;
  }
  return {
    get: <T = any>(path: string, headers?: Record<string, string>) => call<T>("GET", path, undefined, headers),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>("POST", path, body, headers),
    put: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>("PUT", path, body, headers),
    patch: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) =>
      call<T>("PATCH", path, body, headers),
    delete: <T = any>(path: string, headers?: Record<string, string>) => call<T>("DELETE", path, undefined, headers),
  };
}
