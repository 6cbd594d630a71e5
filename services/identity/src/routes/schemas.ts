import { Type, Id, DateTime, problemResponses } from "@comptoir/platform";
import { MAX_PASSWORD_LENGTH } from "../domain/passwords";

export { Id, problemResponses };

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export const Email = Type.String({ format: "email", maxLength: 254 });
export const PersonName = Type.String({ minLength: 1, maxLength: 120, pattern: "\\S" });
/** The policy (length, variety, not the e-mail) is checked by the use case, with a clear message. */
export const Password = Type.String({ maxLength: MAX_PASSWORD_LENGTH, description: "at least 10 characters" });
export const Language = Type.Union([Type.Literal("fr"), Type.Literal("en")]);
export const Role = Type.Union([
  Type.Literal("admin"),
  Type.Literal("manager"),
  Type.Literal("clerk"),
  Type.Literal("customer"),
]);
export const Tier = Type.Union([
  Type.Literal("admin"),
  Type.Literal("frontend"),
  Type.Literal("mobile"),
  Type.Literal("partner"),
]);

export const User = Type.Object({
  id: Id,
  email: Type.String(),
  name: Type.String(),
  role: Role,
  storeId: Type.Union([Id, Type.Null()]),
  language: Language,
  active: Type.Boolean(),
  createdAt: DateTime,
  updatedAt: DateTime,
});

export const Session = Type.Object({
  token: Type.String({ description: "access token (JWT, EdDSA), short-lived" }),
  refreshToken: Type.String({ description: "opaque; spend it once at /api/identity/refresh" }),
  user: User,
});

export const TokenPair = Type.Object({ token: Type.String(), refreshToken: Type.String() });
