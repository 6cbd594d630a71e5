import { type App, bearerAuth, principalOf, requirePermission, Type, pageQuery, Page } from "@comptoir/platform";
import * as users from "../domain/users.use-cases";
import { Password, Id, IdParams, Language, Email, problemResponses, Role, PersonName, User } from "./schemas";

export function usersRoutes(app: App, deps: users.UsersDeps): void {
  const canRead = { preHandler: requirePermission("users:read") };
  const canWrite = { preHandler: requirePermission("users:write") };

  app.get(
    "/api/identity/users",
    {
      ...canRead,
      schema: {
        tags: ["users"],
        summary: "Users, newest first (users:read)",
        ...bearerAuth,
        querystring: Type.Object(
          {
            ...pageQuery({ max: 100, default: 20 }),
            role: Type.Optional(Role),
            active: Type.Optional(Type.Boolean()),
            q: Type.Optional(Type.String({ maxLength: 100, description: "part of the name or e-mail" })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Page(User),
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => users.listUsers(deps, request.query),
  );

  app.get(
    "/api/identity/users/:id",
    {
      ...canRead,
      schema: {
        tags: ["users"],
        summary: "One user (users:read)",
        ...bearerAuth,
        params: IdParams,
        response: { 200: User, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => users.getUser(deps, request.params.id),
  );

  app.post(
    "/api/identity/users",
    {
      ...canWrite,
      schema: {
        tags: ["users"],
        summary: "Create an account, e.g. staff (users:write)",
        ...bearerAuth,
        body: Type.Object(
          {
            name: PersonName,
            email: Email,
            password: Password,
            role: Role,
            storeId: Type.Optional(Type.Union([Type.Null(), Id])),
            language: Type.Optional(Language),
          },
          { additionalProperties: false },
        ),
        response: { 201: User, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const created = await users.createUser(deps, request.body);
      return reply.code(201).header("location", `/api/identity/users/${created.id}`).send(created);
    },
  );

  app.patch(
    "/api/identity/users/:id",
    {
      ...canWrite,
      schema: {
        tags: ["users"],
        summary: "Change a user's name, role, store or active flag (users:write)",
        description:
          "403 cannot_change_own_role / cannot_deactivate_self on oneself. Deactivating revokes the user's refresh tokens; issued access tokens live until they expire.",
        ...bearerAuth,
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(PersonName),
            role: Type.Optional(Role),
            active: Type.Optional(Type.Boolean()),
            storeId: Type.Optional(Type.Union([Type.Null(), Id])),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: User, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => users.updateUser(deps, principalOf(request).userId, request.params.id, request.body),
  );
}
