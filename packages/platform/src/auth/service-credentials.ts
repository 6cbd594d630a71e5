import { createHmac } from "node:crypto";
import { type CredentialHolder, DEFAULT_INTERNAL_SECRET } from "@comptoir/contracts";

/** What a service account's credential is the HMAC of, before the account's name. */
export const SERVICE_CREDENTIAL_CONTEXT = "comptoir-service-credential:";

/**
 * A service account's own credential for service tokens (or the gateway's, which signs its
 * requests with it: gateway-proof.ts): HMAC-SHA256(INTERNAL_SECRET,
 * "comptoir-service-credential:<service>"), 64 hex characters. Only identity holds INTERNAL_SECRET;
 * each calling service is given its credential (SERVICE_CREDENTIAL), which proves that account and
 * no other, and from which INTERNAL_SECRET cannot be recovered. The same as
 * `printf %s comptoir-service-credential:cart | openssl dgst -sha256 -hmac "$INTERNAL_SECRET"`.
 */
export function deriveServiceCredential(internalSecret: string, service: CredentialHolder): string {
  return createHmac("sha256", internalSecret).update(`${SERVICE_CREDENTIAL_CONTEXT}${service}`).digest("hex");
}

/** The credential of `service` under the development INTERNAL_SECRET: a service's default outside production. */
export function developmentServiceCredential(service: CredentialHolder): string {
  return deriveServiceCredential(DEFAULT_INTERNAL_SECRET, service);
}
