import { ForbiddenError, principalOf, type Principal } from "@comptoir/platform";
import type { FastifyRequest } from "fastify";
import type { Actor } from "../model/access";

/** The caller as retail's use cases see them (from the verified access token). */
export function actorOf(request: FastifyRequest): Actor {
  const p = request.principal as Principal;
  return { userId: p.userId, role: p.role, permissions: p.permissions, storeId: p.storeId };
}

/** A route hook: staff only (admin, manager, clerk); a customer or a service token is a 403. */
export async function requireStaff(request: FastifyRequest): Promise<void> {
  const { role } = principalOf(request);
  if (role !== "admin" && role !== "manager" && role !== "clerk") {
    throw new ForbiddenError("Only staff see the stores.");
  }
}
