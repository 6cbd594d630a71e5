import { Type, Id, problemResponses } from "@comptoir/platform";
import { Tier } from "../model/api-key";
import { MAX_PASSWORD_LENGTH } from "../model/password";
import { Language, Role, User } from "../model/user";

export { Id, Language, problemResponses, Role, Tier, User };

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
export const Email = Type.String({ format: "email", maxLength: 254 });
export const PersonName = Type.String({ minLength: 1, maxLength: 120, pattern: "\\S" });
/** The policy (length, variety, not the e-mail) is checked by the use case, with a clear message. */
export const Password = Type.String({ maxLength: MAX_PASSWORD_LENGTH, description: "at least 10 characters" });

export const Session = Type.Object({
  token: Type.String({ description: "access token (JWT, EdDSA), short-lived" }),
  refreshToken: Type.String({ description: "opaque; spend it once at /api/identity/refresh" }),
  user: User,
});

export const TokenPair = Type.Object({ token: Type.String(), refreshToken: Type.String() });
