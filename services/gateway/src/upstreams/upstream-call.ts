import { gatewayProofHeaders, UnavailableError } from "@comptoir/platform";
import type { Dispatcher } from "undici";
import { ejectInstance, type Instance, pickInstance, type Upstream } from "./upstream";
import { classifyFailure } from "./upstream-errors";

export interface UpstreamCall {
  method: "GET" | "POST";
  path: string;
  /** Sent as JSON. */
  body?: unknown;
  timeoutMs: number;
  requestId?: string | undefined;
  /** The gateway's SERVICE_CREDENTIAL, to prove the call is the gateway's (identity's internal endpoints). */
  proveWith?: string;
}

/**
 * The gateway's own small request to an upstream (identity's JWKS, API-key resolution): an eligible
 * instance, the next one when it cannot be reached (these calls are reads, safe to send again), and
 * a 503 when none answers. Returns the status and the parsed JSON body (undefined when not JSON).
 */
export async function callUpstream(
  dispatcher: Dispatcher,
  upstream: Upstream,
  call: UpstreamCall,
): Promise<{ statusCode: number; body: unknown }> {
  const tried: Instance[] = [];
  let lastError = "";
  const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
  const headers: Record<string, string> = { accept: "application/json", "user-agent": "comptoir-gateway" };
  if (payload !== undefined) headers["content-type"] = "application/json";
  if (call.requestId) headers["x-request-id"] = call.requestId;
  if (call.proveWith) {
    Object.assign(
      headers,
      gatewayProofHeaders(call.proveWith, { method: call.method, path: call.path, requestId: call.requestId }),
    );
  }
  for (let instance = pickInstance(upstream, tried); instance; instance = pickInstance(upstream, tried)) {
    tried.push(instance);
    try {
      const response = await dispatcher.request({
        origin: instance.url,
        path: call.path,
        method: call.method,
        headers,
        body: payload ?? null,
        headersTimeout: call.timeoutMs,
        bodyTimeout: call.timeoutMs,
        signal: AbortSignal.timeout(call.timeoutMs),
      });
      const type = response.headers["content-type"];
      const json = typeof type === "string" && type.includes("json");
      const body = json ? await response.body.json() : (await response.body.dump(), undefined);
      return { statusCode: response.statusCode, body };
    } catch (error) {
      const failure = classifyFailure(error);
      lastError = failure.message;
      if (failure.kind === "connection") ejectInstance(upstream, instance, failure.message);
    }
  }
  throw new UnavailableError(
    lastError
      ? `The ${upstream.name} service could not be reached (${lastError}).`
      : `No instance of the ${upstream.name} service is available.`,
    { retryAfterSeconds: Math.max(1, Math.ceil(upstream.healthCheck.intervalMs / 1000)) },
  );
}
