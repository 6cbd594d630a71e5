import { createHash, timingSafeEqual } from "node:crypto";
import type { ServiceAccountName, ServiceTokenResponse } from "@comptoir/contracts";
import { UnauthorizedError } from "@comptoir/platform";
import { signServiceToken, type TokenDeps } from "./tokens";

export type ServiceTokensDeps = TokenDeps;

export interface ServiceTokenRequest {
  service: ServiceAccountName;
  secret: string;
}

/**
 * Issues a service token to a caller proving the deployment's INTERNAL_SECRET. Both sides are
 * hashed first so that the comparison takes the same time whatever the secret's length or content.
 */
export async function issueServiceToken(
  deps: ServiceTokensDeps,
  input: ServiceTokenRequest,
): Promise<ServiceTokenResponse> {
  if (!timingSafeEqual(digest(input.secret), digest(deps.settings.internalSecret))) {
    throw new UnauthorizedError("The service credentials are invalid.", "invalid_service_credentials");
  }
  return signServiceToken(deps, input.service);
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}
