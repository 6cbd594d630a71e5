import { request } from "undici";
import { UserError } from "../errors";
import { DEMO_PASSWORD } from "../launcher/banner";
import type { RequestFunction } from "./admin-client";
import { lookUpRuntime } from "./platform-location";

type Env = Record<string, string | undefined>;

export const DEMO_ADMIN = "admin@demo.comptoir.dev";

/**
 * The bearer token the admin commands send: COMPTOIR_TOKEN; else, when the platform running from
 * this data folder is in demo mode, a fresh token of the demo admin (logged in through the gateway);
 * else none (the service will answer 401, and the command says to set COMPTOIR_TOKEN).
 */
export async function adminToken(
  env: Env,
  cwd: string,
  gatewayUrl: string,
  send: RequestFunction = request,
): Promise<string | undefined> {
  const explicit = env.COMPTOIR_TOKEN?.trim();
  if (explicit) return explicit;
  const runtime = lookUpRuntime(env, cwd);
  if (runtime.state !== "running" || !runtime.info.demo || runtime.info.gatewayUrl !== gatewayUrl) return undefined;
  let answer;
  try {
    answer = await send(`${gatewayUrl}/api/identity/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: DEMO_ADMIN, password: DEMO_PASSWORD }),
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    });
  } catch (error) {
    throw new UserError(`cannot reach the gateway at ${gatewayUrl} to log in: ${(error as Error).message}`);
  }
  const body = (await answer.body.json().catch(() => undefined)) as { token?: string } | undefined;
  if (answer.statusCode !== 200 || !body?.token) {
    throw new UserError(
      `logging in as ${DEMO_ADMIN} failed (HTTP ${answer.statusCode}); set COMPTOIR_TOKEN to an admin's access token`,
    );
  }
  return body.token;
}
