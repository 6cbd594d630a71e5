import { createServiceClient, type ServiceClient, type ServiceTokens } from "@comptoir/platform";

/**
 * How cart calls catalog and inventory: a shopper waits for these on every read, so short timeouts
 * and one retry — which goes to another of the target's instances (a refused connection, or a read
 * that timed out) — and a circuit per instance that gives a failed instance a trial call a second
 * later. The cart is shown anyway when they do not answer; an add needs catalog.
 */
export function cartServiceClient(target: string, urls: string | string[], auth?: ServiceTokens): ServiceClient {
  return createServiceClient({
    target,
    baseUrls: typeof urls === "string" ? urls.split(",") : urls,
    timeoutMs: 1_500,
    maxRetries: 1,
    breaker: { consecutiveFailures: 5, halfOpenAfterMs: 1_000 },
    auth,
  });
}
