import { IDENTITY_HEADERS } from "@comptoir/contracts";
import { type App, Type } from "@comptoir/platform";
import type { FastifyRequest } from "fastify";
import * as auth from "../domain/auth.use-cases";
import { Password, Language, Email, TokenPair, problemResponses, PersonName, Session } from "./schemas";

const RefreshBody = Type.Object(
  { refreshToken: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

/**
 * The client's address: the gateway's header (it strips any client-sent copy), else the socket's.
 * Identity is not reachable around the gateway in distributed mode (SPEC §4).
 */
function clientIp(request: FastifyRequest): string {
  const forwarded = request.headers[IDENTITY_HEADERS.clientIp];
  return typeof forwarded === "string" && forwarded.length > 0 && forwarded.length <= 64 ? forwarded : request.ip;
}

export function authRoutes(app: App, deps: auth.AuthDeps): void {
  app.post(
    "/api/identity/register",
    {
      schema: {
        tags: ["auth"],
        summary: "Sign up as a customer",
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
        description:
          "401 invalid_credentials for any wrong e-mail, password or inactive account; 429 too_many_attempts (with Retry-After) after repeated failures for the account or the client address.",
        body: Type.Object(
          { email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ maxLength: 256 }) },
          { additionalProperties: false },
        ),
        response: { 200: Session, ...problemResponses(400, 401, 429) },
      },
    },
    async (request) => auth.login(deps, { ...request.body, ip: clientIp(request) }),
  );

  app.post(
    "/api/identity/refresh",
    {
      schema: {
        tags: ["auth"],
        summary: "Spend a refresh token for a new access token and refresh token",
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
