import {
  type CallResult,
  type ComptoirClient,
  createComptoirClient,
  ProblemError,
  problemOf,
  type ServicePaths,
  unwrap,
} from "@comptoir/client";

/**
 * The platform, through the gateway that serves this page: the generated typed client
 * (@comptoir/client), paths under `/api`. Nothing here calls fetch by hand.
 */
export const api: ComptoirClient = createComptoirClient({ baseUrl: window.location.origin });

export { ProblemError, problemOf, unwrap };
export type { CallResult, ComptoirClient, ServicePaths };

/** The problem code of an error, or undefined for anything else (a network failure). */
export function codeOf(error: unknown): string | undefined {
  return error instanceof ProblemError ? error.code : undefined;
}

/** A new Idempotency-Key (crypto.randomUUID needs a secure context; getRandomValues does not). */
export function newKey(): string {
  if (typeof crypto.randomUUID === "function" && window.isSecureContext) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
