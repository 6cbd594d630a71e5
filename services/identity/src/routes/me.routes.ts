import { type App, bearerAuth, principalOf, requireUser, Type } from "@comptoir/platform";
import * as me from "../domain/me.use-cases";
import { sessionOf } from "../domain/tokens";
import { Address } from "../model/address";
import { Password, IdParams, Language, problemResponses, PersonName, User } from "./schemas";

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: "\\S" });
const Country = Type.String({ pattern: "^[A-Z]{2}$", maxLength: 2, description: "ISO 3166-1 alpha-2 (FR, BE, DE…)" });

// Null first: with type coercion on, a string-first union would turn null into "".
const AddressFields = {
  label: Type.Union([Type.Null(), Type.String({ maxLength: 60 })]),
  name: Text(120),
  line1: Text(200),
  line2: Type.Union([Type.Null(), Type.String({ maxLength: 200 })]),
  postalCode: Text(20),
  city: Text(120),
  country: Country,
  phone: Type.Union([Type.Null(), Type.String({ maxLength: 40, pattern: "^[0-9+() .-]*$" })]),
  defaultShipping: Type.Boolean(),
  defaultBilling: Type.Boolean(),
};
const bearerToken = (header: string | undefined) => header?.replace(/^Bearer\s+/i, "").trim();

export function meRoutes(app: App, deps: me.MeDeps): void {
  const guarded = { preHandler: requireUser };

  app.get(
    "/api/identity/me",
    {
      ...guarded,
      schema: {
        tags: ["me"],
        summary: "The caller's profile",
        ...bearerAuth,
        response: { 200: User, ...problemResponses(401, 404) },
      },
    },
    async (request) => me.getMe(deps, principalOf(request).userId),
  );

  app.patch(
    "/api/identity/me",
    {
      ...guarded,
      schema: {
        tags: ["me"],
        summary: "Change one's name, language or password",
        description:
          "A new password needs currentPassword and ends the caller's other sessions. Wrong current passwords count against the account like failed logins: over the limit, 429 too_many_attempts with Retry-After.",
        ...bearerAuth,
        body: Type.Object(
          {
            name: Type.Optional(PersonName),
            language: Type.Optional(Language),
            password: Type.Optional(Password),
            currentPassword: Type.Optional(Type.String({ maxLength: 256 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: User, ...problemResponses(400, 401, 404, 429) },
      },
    },
    async (request) =>
      me.updateMe(
        deps,
        principalOf(request).userId,
        sessionOf(bearerToken(request.headers.authorization)),
        request.body,
      ),
  );

  app.get(
    "/api/identity/me/addresses",
    {
      ...guarded,
      schema: {
        tags: ["me"],
        summary: "The caller's addresses",
        ...bearerAuth,
        response: { 200: Type.Object({ data: Type.Array(Address) }), ...problemResponses(401) },
      },
    },
    async (request) => ({ data: await me.listMyAddresses(deps, principalOf(request).userId) }),
  );

  app.post(
    "/api/identity/me/addresses",
    {
      ...guarded,
      schema: {
        tags: ["me"],
        summary: "Add an address (defaultShipping/defaultBilling move the default to it)",
        ...bearerAuth,
        body: Type.Object(
          {
            label: Type.Optional(AddressFields.label),
            name: AddressFields.name,
            line1: AddressFields.line1,
            line2: Type.Optional(AddressFields.line2),
            postalCode: AddressFields.postalCode,
            city: AddressFields.city,
            country: AddressFields.country,
            phone: Type.Optional(AddressFields.phone),
            defaultShipping: Type.Optional(AddressFields.defaultShipping),
            defaultBilling: Type.Optional(AddressFields.defaultBilling),
          },
          { additionalProperties: false },
        ),
        response: { 201: Address, ...problemResponses(400, 401, 409) },
      },
    },
    async (request, reply) => {
      const created = await me.createAddress(deps, principalOf(request).userId, request.body);
      return reply.code(201).header("location", `/api/identity/me/addresses/${created.id}`).send(created);
    },
  );

  app.patch(
    "/api/identity/me/addresses/:id",
    {
      ...guarded,
      schema: {
        tags: ["me"],
        summary: "Change one of the caller's addresses",
        ...bearerAuth,
        params: IdParams,
        body: Type.Object(
          {
            label: Type.Optional(AddressFields.label),
            name: Type.Optional(AddressFields.name),
            line1: Type.Optional(AddressFields.line1),
            line2: Type.Optional(AddressFields.line2),
            postalCode: Type.Optional(AddressFields.postalCode),
            city: Type.Optional(AddressFields.city),
            country: Type.Optional(AddressFields.country),
            phone: Type.Optional(AddressFields.phone),
            defaultShipping: Type.Optional(AddressFields.defaultShipping),
            defaultBilling: Type.Optional(AddressFields.defaultBilling),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Address, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => me.updateAddress(deps, principalOf(request).userId, request.params.id, request.body),
  );

  app.delete(
    "/api/identity/me/addresses/:id",
    {
      ...guarded,
      schema: {
        tags: ["me"],
        summary: "Delete one of the caller's addresses",
        ...bearerAuth,
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await me.deleteAddress(deps, principalOf(request).userId, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
