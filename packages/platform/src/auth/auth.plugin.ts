import { type Permission, SERVICE_ROLE } from "@comptoir/contracts";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ForbiddenError, UnauthorizedError } from "../errors/app-error";
import type { Principal, TokenVerifier } from "./principal";

declare module "fastify" {
  interface FastifyRequest {
    /** The verified caller, when the request carried a valid bearer token; null when it carried none. */
    principal: Principal | null;
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Reads `Authorization: Bearer <jwt>` on every request: a valid token sets `request.principal`, an
 * invalid one is answered 401 `invalid_token` (even on public routes: a client holding a bad token
 * should learn it), no token leaves `principal` null. Route guards below decide what is required.
 */
export function installAuth(app: FastifyInstance, verifier: TokenVerifier | undefined): void {
  app.decorateRequest("principal", null);
  app.addHook("onRequest", async (request) => {
    const header = request.headers.authorization;
    if (header === undefined) return;
    const match = BEARER.exec(header);
    if (!match) throw new UnauthorizedError("The Authorization header must be `Bearer <token>`.", "invalid_token");
    if (!verifier) throw new UnauthorizedError("This service does not accept tokens.", "invalid_token");
    request.principal = await verifier.verify(match[1]!);
  });
}

/** The caller, or a 401 problem. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthorizedError();
  return request.principal;
}

/**
 * A route hook: the request must carry a valid access token of a user (401 without one; 403 for a
 * service token, whose `sub` is no user: "my profile" means nothing to it). Use it as the route's
 * `onRequest` so that a caller without rights learns nothing from validation of their body.
 */
export async function requireUser(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  if (principalOf(request).role === SERVICE_ROLE) {
    throw new ForbiddenError("This route acts for a signed-in user; a service token cannot use it.");
  }
}

/**
 * A route hook (`onRequest`): the caller must hold every permission named (401 without a token, 403
 * without one). A service token passes when its account holds them, like a user's token.
 */
export function requirePermission(...permissions: Permission[]) {
  const guard = async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const principal = principalOf(request);
    const missing = permissions.filter((p) => !principal.permissions.includes(p));
    if (missing.length > 0) {
      throw new ForbiddenError(`This needs the permission ${missing.join(", ")}.`);
    }
  };
  // The OpenAPI document lists them in the route's bearerAuth requirement (http/openapi.ts).
  return Object.assign(guard, { permissions });
}

/** OpenAPI: the route takes a bearer token. Spread into a route's `schema`. */
export const bearerAuth = { security: [{ bearerAuth: [] }] };

/** OpenAPI: the route is open to anonymous callers (a token sent is still verified). Spread into a route's `schema`. */
export const noAuth: { security: Record<string, string[]>[] } = { security: [{}] };

/** OpenAPI: the route serves anonymous callers and bearers of a token alike. Spread into a route's `schema`. */
export const optionalBearerAuth: { security: Record<string, string[]>[] } = { security: [{}, { bearerAuth: [] }] };

/** OpenAPI: only the gateway may call the route (its proof headers, verifyGatewayProof). Spread into a route's `schema`. */
export const gatewayProofAuth: { security: Record<string, string[]>[] } = { security: [{ gatewayProof: [] }] };
