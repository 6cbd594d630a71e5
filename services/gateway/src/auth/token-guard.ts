import { type Principal, type TokenVerifier, UnauthorizedError, UnavailableError } from "@comptoir/platform";

export interface TokenGuardOptions {
  /** Told why each token was refused (metrics). */
  onFailure?: (reason: string) => void;
  /** Whether identity's keys are unavailable (a refusal then becomes a 503, not a 401). */
  keysUnavailable?: () => boolean;
}

/** A short reason for the metrics label, from the verifier's message. */
export function failureReason(error: unknown): string {
  const detail = (error as { detail?: string }).detail ?? "";
  if (detail.includes("expired")) return "expired";
  if (detail.includes("revoked")) return "revoked";
  if (detail.includes("unknown key")) return "unknown_key";
  if (detail.includes("signature")) return "bad_signature";
  if (detail.includes("not valid here") || detail.includes("malformed")) return "bad_claims";
  return "invalid";
}

/**
 * The gateway's view of a refused token: counted by reason, and turned into a 503 when the refusal
 * only means that identity's keys could not be fetched (the client's token may well be fine).
 * Verified tokens are cached by the kernel's verifier.
 */
export function guardedVerifier(inner: TokenVerifier, options: TokenGuardOptions = {}): TokenVerifier {
  return {
    async verify(token): Promise<Principal> {
      try {
        return await inner.verify(token);
      } catch (error) {
        if (error instanceof UnauthorizedError && options.keysUnavailable?.()) {
          options.onFailure?.("keys_unavailable");
          throw new UnavailableError(
            "The gateway cannot check access tokens right now: identity's keys are unavailable.",
            { retryAfterSeconds: 5 },
          );
        }
        options.onFailure?.(failureReason(error));
        throw error;
      }
    },
  };
}
