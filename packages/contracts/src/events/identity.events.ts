import { Type } from "typebox";
import { Email, Language, Nullable, Uuid } from "./common";
import { defineEvent } from "./define";

export const UserRole = Type.Union([
  Type.Literal("admin"),
  Type.Literal("manager"),
  Type.Literal("clerk"),
  Type.Literal("customer"),
]);

/** A user as other services keep it: notifications writes to them, a store's managers get its alerts. */
const userFields = {
  userId: Uuid,
  email: Email,
  name: Type.String({ minLength: 1 }),
  role: UserRole,
  /** The store a staff member works in; null for customers and staff not attached to one. */
  storeId: Nullable(Uuid),
  language: Language,
  active: Type.Boolean(),
};

export const UserSnapshot = Type.Object(userFields);

export const UserField = Type.Union([
  Type.Literal("email"),
  Type.Literal("name"),
  Type.Literal("role"),
  Type.Literal("storeId"),
  Type.Literal("language"),
  Type.Literal("active"),
]);

export const identityEvents = {
  "identity.user.registered": defineEvent({
    version: 1,
    subject: "user id",
    description: "A user account was created (a customer signing up or staff created by an admin); data is its state.",
    data: UserSnapshot,
  }),
  "identity.user.updated": defineEvent({
    version: 1,
    subject: "user id",
    description:
      "A user's profile, role, store or language changed; data is its new state and the fields that changed.",
    data: Type.Object({
      ...userFields,
      changedFields: Type.Array(UserField, { minItems: 1 }),
      /** Who made the change: the user themself or an admin; null for a system change. */
      updatedBy: Nullable(Uuid),
    }),
  }),
  "identity.user.deactivated": defineEvent({
    version: 1,
    subject: "user id",
    description: "A user was deactivated: they can no longer log in and their tokens are revoked.",
    data: Type.Object({
      ...userFields,
      active: Type.Literal(false),
      deactivatedBy: Nullable(Uuid),
    }),
  }),
};
