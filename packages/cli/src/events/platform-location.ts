import { dataDirectory } from "../config/launcher.config";
import { UsageError, UserError } from "../errors";
import { readRuntimeFile, type RuntimeLookup } from "../launcher/runtime-file";

type Env = Record<string, string | undefined>;

export const DEFAULT_GATEWAY_URL = "http://127.0.0.1:8080";

/** Where `events tail` reads: what `createTransport` takes. */
export interface TransportLocation {
  natsUrl?: string;
  eventLogUrl?: string;
  prefix?: string;
  /** Where it was found, for the first line `tail` prints. */
  from: string;
}

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** The running platform's runtime.json in the data folder (COMPTOIR_DATA, or ./.data), as `up` writes it. */
export function lookUpRuntime(env: Env, cwd: string): RuntimeLookup & { dataDir: string } {
  const dataDir = dataDirectory(env, cwd);
  return { ...readRuntimeFile(dataDir), dataDir };
}

/**
 * The bus `events tail` reads: NATS_URL if set, else EVENT_LOG_URL, else the running platform's
 * (runtime.json in the data folder); otherwise a UserError that says what to do.
 */
export function locateTransport(env: Env, cwd: string): TransportLocation {
  const natsUrl = read(env, "NATS_URL");
  const prefix = read(env, "NATS_PREFIX");
  if (natsUrl) return { natsUrl, ...(prefix ? { prefix } : {}), from: "NATS_URL" };
  const eventLogUrl = read(env, "EVENT_LOG_URL");
  if (eventLogUrl) return { eventLogUrl, from: "EVENT_LOG_URL" };

  const runtime = lookUpRuntime(env, cwd);
  const advice = "start it with npm start, or set NATS_URL or EVENT_LOG_URL";
  switch (runtime.state) {
    case "running": {
      const { info } = runtime;
      if (info.natsUrl) {
        const runtimePrefix = prefix ?? info.natsPrefix;
        return { natsUrl: info.natsUrl, ...(runtimePrefix ? { prefix: runtimePrefix } : {}), from: runtime.path };
      }
      if (info.eventLogUrl) return { eventLogUrl: info.eventLogUrl, from: runtime.path };
      throw new UserError(`the platform running from ${runtime.dataDir} names no event transport; ${advice}`);
    }
    case "stale":
      throw new UserError(
        `no running platform found in ${runtime.dataDir} (its runtime.json was left by pid ${runtime.info.pid}, ` +
          `which has stopped); ${advice}`,
      );
    case "unreadable":
      throw new UserError(
        `cannot read ${runtime.path} (${runtime.reason}); run as the user who started the platform, or set NATS_URL or EVENT_LOG_URL`,
      );
    default:
      throw new UserError(`no running platform found in ${runtime.dataDir}; ${advice}`);
  }
}

/**
 * The gateway the admin commands call: --url, else COMPTOIR_URL, else the running platform's
 * (runtime.json), else http://127.0.0.1:8080.
 */
export function locateGateway(option: string | undefined, env: Env, cwd: string): string {
  const explicit = option ?? read(env, "COMPTOIR_URL");
  if (explicit) return checkedHttpUrl(explicit, option ? "--url" : "COMPTOIR_URL");
  const runtime = lookUpRuntime(env, cwd);
  if (runtime.state === "running") return runtime.info.gatewayUrl;
  return DEFAULT_GATEWAY_URL;
}

function checkedHttpUrl(raw: string, name: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new UsageError(`${name} must be an http(s) URL (http://127.0.0.1:8080), got "${raw}"`);
  }
  return raw.replace(/\/+$/, "");
}
