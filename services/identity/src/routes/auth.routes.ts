import { type App, noAuth, Type } from "@comptoir/platform";
import * as auth from "../domain/auth.use-cases";
import type { GatewayCheck } from "./gateway.hooks";
import { Password, Language, Email, TokenPair, problemResponses, PersonName, Session } from "./schemas";

const RefreshBody = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

/** `gateway`: whose word on the client's address (the login throttle's) identity takes. */
export function authRoutes(app: App, deps: auth.AuthDeps, gateway: GatewayCheck): void {
  app.post(
    "/api/identity/register",
    {
      schema: {
        tags: ["auth"],
        summary: "Sign up as a customer",
        ...noAuth,
        body: Type.Object(
          { name: PersonName, email: Email, password: Password, language: Type.Optional(Language) },
          { additionalProperties: false },
        ),
        response: { 201: Session, ...problemResponses(400, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await auth.register(deps, request.body)),
  );

  app.post(
    "/api/identity/login",
    {
      schema: {
        tags: ["auth"],
        summary: "Log in with e-mail and password",
        ...noAuth,
        description:
          "401 invalid_credentials for any wrong e-mail, password or inactive account; 429 too_many_attempts (with Retry-After) after repeated failures for the account or the client address.",
        body: Type.Object(
          { email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ maxLength: 256 }) },
          { additionalProperties: false },
        ),
        response: { 200: Session, ...problemResponses(400, 401, 429) },
      },
    },
    async (request) => auth.login(deps, { ...request.body, ip: gateway.clientIp(request) }),
  );

  app.post(
    "/api/identity/refresh",
    {
      schema: {
        tags: ["auth"],
        summary: "Spend a refresh token for a new access token and refresh token",
        ...noAuth,
        description: "Presenting a refresh token twice revokes its whole session (401 invalid_refresh_token).",
        body: RefreshBody,
        response: { 200: TokenPair, ...problemResponses(400, 401) },
      },
    },
    async (request) => auth.refresh(deps, request.body.refreshToken),
  );

  app.post(
    "/api/identity/logout",
    {
      schema: {
        tags: ["auth"],
        summary: "End the session of a refresh token (idempotent)",
        ...noAuth,
        body: RefreshBody,
        response: { 204: Type.Null(), ...problemResponses(400) },
      },
    },
    async (request, reply) => {
      await auth.logout(deps, request.body.refreshToken);
      return reply.code(204).send(null);
    },
  );
}
