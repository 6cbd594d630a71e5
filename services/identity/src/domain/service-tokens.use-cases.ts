import { createHash, timingSafeEqual } from "node:crypto";
import type { ServiceAccountName, ServiceTokenResponse } from "@comptoir/contracts";
import { deriveServiceCredential, UnauthorizedError } from "@comptoir/platform";
import { signServiceToken, type TokenDeps } from "./tokens";

export type ServiceTokensDeps = TokenDeps;

export interface ServiceTokenRequest {
  service: ServiceAccountName;
  credential: string;
}

/**
 * Issues a service token to a caller proving the account's own credential: the one derived from
 * INTERNAL_SECRET for that account, so that a service can obtain its own token and no other (nor
 * with INTERNAL_SECRET itself). Both sides are hashed first so that the comparison takes the same
 * time whatever the presented value's length or content.
 */
export async function issueServiceToken(
  deps: ServiceTokensDeps,
  input: ServiceTokenRequest,
): Promise<ServiceTokenResponse> {
  const expected = deriveServiceCredential(deps.settings.internalSecret, input.service);
  if (!timingSafeEqual(digest(input.credential), digest(expected))) {
    throw new UnauthorizedError("The service credentials are invalid.", "invalid_service_credentials");
  }
  return signServiceToken(deps, input.service);
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}
