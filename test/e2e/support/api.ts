import { type CallResult, type ComptoirClient, createComptoirClient } from "@comptoir/client";
import { expect } from "vitest";

/**
 * The end-to-end tests call the platform as any client of the gateway does: through the typed
 * client generated from the committed OpenAPI documents (@comptoir/client). Raw fetch is left to the
 * tests about raw HTTP (headers, malformed input, encodings, health and metrics pages).
 */
export function gatewayClient(base: string, token?: string): ComptoirClient {
  return createComptoirClient({ baseUrl: base, ...(token ? { token } : {}) });
}

/** Fails with the answer's body in the message, so that a wrong status says why. */
export function expectStatus(result: CallResult, status: number, what: string): void {
  expect(result.response.status, `${what}: ${JSON.stringify(result.error ?? result.data)}`).toBe(status);
}
