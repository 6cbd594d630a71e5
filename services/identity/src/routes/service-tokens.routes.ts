import { SERVICE_ACCOUNT_NAMES, SERVICE_TOKEN_PATH } from "@comptoir/contracts";
import { type App, noAuth, Type } from "@comptoir/platform";
import * as serviceTokens from "../domain/service-tokens.use-cases";
import { problemResponses } from "./schemas";

export function serviceTokensRoutes(app: App, deps: serviceTokens.ServiceTokensDeps): void {
  app.post(
    SERVICE_TOKEN_PATH,
    {
      schema: {
        tags: ["internal"],
        summary: "A service obtains a short-lived token of its own with its SERVICE_CREDENTIAL (internal)",
        ...noAuth,
        description:
          "Never routed from outside: the gateway answers 404 to public /internal/ paths. The token has role " +
          "`service`, the account's fixed id as `sub`, its permissions and `svc` naming it.",
        body: Type.Object(
          {
            service: Type.Union(
              SERVICE_ACCOUNT_NAMES.map((name) => Type.Literal(name)),
              { description: "the calling service's account" },
            ),
            credential: Type.String({
              minLength: 1,
              maxLength: 1024,
              description:
                "the account's SERVICE_CREDENTIAL: HMAC-SHA256(INTERNAL_SECRET, 'comptoir-service-credential:' + service), hex",
            }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            token: Type.String({ description: "access token (JWT, EdDSA) of the service account" }),
            expiresIn: Type.Integer({ description: "seconds until the token expires" }),
          }),
          ...problemResponses(400, 401),
        },
      },
    },
    async (request) => serviceTokens.issueServiceToken(deps, request.body),
  );
}
