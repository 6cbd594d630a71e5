import { IDENTITY_HEADERS } from "@comptoir/contracts";
import { UnauthorizedError, verifyGatewayProof } from "@comptoir/platform";
import type { FastifyRequest } from "fastify";

/** How identity tells the gateway's requests from anyone else's that reaches it. */
export interface GatewayCheck {
  /**
   * The client's address: the gateway's x-comptoir-client-ip when the request carries its proof,
   * else the peer's (a caller that reaches identity around the gateway says nothing about others).
   */
  clientIp(request: FastifyRequest): string;
  /** A route hook (onRequest): 401 invalid_gateway_proof unless the gateway sent the request. */
  required(request: FastifyRequest): Promise<void>;
}

/**
 * Checks against the gateway's SERVICE_CREDENTIAL (deriveServiceCredential(INTERNAL_SECRET,
 * "gateway")), which identity derives and the gateway alone is given.
 */
export function gatewayCheck(credential: string): GatewayCheck {
  const proven = (request: FastifyRequest) =>
    verifyGatewayProof(credential, {
      method: request.method,
      url: request.raw.url ?? request.url,
      headers: request.headers,
    });
  return {
    clientIp(request) {
      const claimed = request.headers[IDENTITY_HEADERS.clientIp];
      if (typeof claimed !== "string" || claimed.length === 0 || claimed.length > 64) return request.ip;
      return proven(request) ? claimed : request.ip;
    },
    async required(request) {
      if (!proven(request)) {
        throw new UnauthorizedError("Only the gateway may call this endpoint.", "invalid_gateway_proof");
      }
    },
  };
}
