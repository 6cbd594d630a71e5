import { REVOCATIONS_PATH } from "@comptoir/contracts";
import { type App, type Db, Type } from "@comptoir/platform";
import { listRevocations } from "../domain/revocations.use-cases";
import { problemResponses } from "./schemas";

const Entry = Type.Object({
  id: Type.Integer(),
  userId: Type.String({ format: "uuid" }),
  sessionId: Type.Union([Type.String({ format: "uuid" }), Type.Null()]),
  revokedAt: Type.String({ format: "date-time" }),
  expiresAt: Type.String({ format: "date-time" }),
});

export function revocationsRoutes(app: App, deps: { db: Db }): void {
  app.get(
    REVOCATIONS_PATH,
    {
      schema: {
        tags: ["internal"],
        summary: "What was revoked since a cursor: read every 2 seconds by every token verifier (internal)",
        description:
          "Never routed from outside: the gateway answers 404 to public /internal/ paths. A user entry revokes " +
          "the user's access tokens issued before `revokedAt`; a session entry every token of that session. " +
          "Entries are kept until no token they revoke can still be valid (`expiresAt`).",
        querystring: Type.Object(
          { after: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ data: Type.Array(Entry), cursor: Type.Integer(), more: Type.Boolean() }),
          ...problemResponses(400),
        },
      },
    },
    async (request) => listRevocations(deps, request.query.after),
  );
}
