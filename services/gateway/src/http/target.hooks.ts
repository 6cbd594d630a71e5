import type { IncomingMessage } from "node:http";
import { type App, InvalidError } from "@comptoir/platform";
import { normalizeTarget } from "./request-target";

/** Why a request's target was refused, set while it is rewritten (before routing). */
const REFUSED = Symbol("comptoir.targetRefused");
type Marked = IncomingMessage & { [REFUSED]?: string };

/**
 * Normalizes every request's target before Fastify routes it (normalizeTarget): routing, the
 * public / internal / admin decision, rate limits, the cache key and the forwarded path all read
 * that one value. A target that cannot be normalized safely is routed nowhere ("/") and refused
 * with 400 `invalid_request_target` by the first hook.
 */
export function installTargetNormalization(prefixes: readonly string[]) {
  return {
    rewriteUrl(req: IncomingMessage): string {
      const normalized = normalizeTarget(req.url ?? "/", req.headers.host, prefixes);
      if (normalized.ok) return normalized.url;
      (req as Marked)[REFUSED] = normalized.reason;
      return "/";
    },
    refuseUnsafe(app: App): void {
      app.addHook("onRequest", async (request) => {
        const reason = (request.raw as Marked)[REFUSED];
        if (reason !== undefined) {
          throw new InvalidError("invalid_request_target", `The request target was refused: ${reason}.`);
        }
      });
    },
  };
}
