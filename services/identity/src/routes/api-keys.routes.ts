import { API_KEY_RESOLVE_PATH } from "@comptoir/contracts";
import { type App, bearerAuth, gatewayProofAuth, principalOf, requirePermission, Type } from "@comptoir/platform";
import * as apiKeys from "../domain/api-keys.use-cases";
import { ApiKey, CreatedApiKey } from "../model/api-key";
import type { GatewayCheck } from "./gateway.hooks";
import { Id, IdParams, Tier, problemResponses } from "./schemas";

/** `gateway`: API keys are resolved for the gateway only. */
export function apiKeysRoutes(app: App, deps: apiKeys.ApiKeysDeps, gateway: GatewayCheck): void {
  const canManage = { preHandler: requirePermission("apikeys:manage") };

  app.post(
    "/api/identity/api-keys",
    {
      ...canManage,
      schema: {
        tags: ["api-keys"],
        summary: "Create an API key (apikeys:manage); the key is shown only in this response",
        ...bearerAuth,
        body: Type.Object(
          {
            name: Type.String({
              minLength: 1,
              maxLength: 100,
              pattern: "^[A-Za-z0-9][A-Za-z0-9 ._-]*$",
              description: "the consumer's name, e.g. partner-acme",
            }),
            tier: Tier,
          },
          { additionalProperties: false },
        ),
        response: {
          201: CreatedApiKey,
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await apiKeys.createApiKey(deps, principalOf(request).userId, request.body)),
  );

  app.get(
    "/api/identity/api-keys",
    {
      ...canManage,
      schema: {
        tags: ["api-keys"],
        summary: "API keys, newest first, without their secrets (apikeys:manage)",
        ...bearerAuth,
        response: { 200: Type.Object({ data: Type.Array(ApiKey) }), ...problemResponses(401, 403) },
      },
    },
    async () => ({ data: await apiKeys.listApiKeys(deps) }),
  );

  app.delete(
    "/api/identity/api-keys/:id",
    {
      ...canManage,
      schema: {
        tags: ["api-keys"],
        summary: "Revoke an API key (apikeys:manage)",
        ...bearerAuth,
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await apiKeys.revokeApiKey(deps, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    API_KEY_RESOLVE_PATH,
    {
      onRequest: gateway.required,
      schema: {
        tags: ["internal"],
        summary: "The gateway resolves an API key to its consumer and tier (internal)",
        ...gatewayProofAuth,
        description:
          "Never routed from outside: the gateway answers 404 to public /internal/ paths. Answers only a request " +
          "carrying the gateway's proof (x-comptoir-gateway-proof and -time); 401 invalid_gateway_proof otherwise.",
        body: Type.Object({ key: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ id: Id, name: Type.String(), tier: Tier }),
          ...problemResponses(400, 401, 404),
        },
      },
    },
    async (request) => apiKeys.resolveApiKey(deps, request.body.key),
  );
}
