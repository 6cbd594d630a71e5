import { JWKS_PATH } from "@comptoir/contracts";
import { type App, bearerAuth, requirePermission, Type } from "@comptoir/platform";
import type { KeyStore } from "../domain/signing-keys";
import { problemResponses } from "./schemas";

const Jwk = Type.Object({
  kty: Type.String(),
  crv: Type.String(),
  x: Type.String(),
  kid: Type.String(),
  alg: Type.String(),
  use: Type.String(),
});

export function keysRoutes(app: App, deps: { keys: KeyStore }): void {
  app.get(
    JWKS_PATH,
    {
      schema: {
        tags: ["keys"],
        summary: "The public keys access tokens are signed with (JWKS)",
        description: "The active key and recently retired ones whose tokens may not have expired yet.",
        response: { 200: Type.Object({ keys: Type.Array(Jwk) }) },
      },
    },
    async (_request, reply) => {
      reply.header("cache-control", "public, max-age=300");
      return deps.keys.jwks();
    },
  );

  app.post(
    "/api/identity/admin/signing-keys/rotate",
    {
      preHandler: requirePermission("users:write"),
      schema: {
        tags: ["keys"],
        summary: "Rotate the token-signing key (users:write)",
        description: "New tokens are signed with a new key; the previous one stays published until its tokens expire.",
        ...bearerAuth,
        response: { 200: Type.Object({ kid: Type.String() }), ...problemResponses(401, 403) },
      },
    },
    async () => deps.keys.rotate(),
  );
}
