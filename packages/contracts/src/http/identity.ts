import { type Static, Type } from "typebox";
import { Language } from "../events/common";
import { endpoint } from "./endpoint";
import { DateTime, Id, Nullable } from "./schemas";

export { Language };

export const Role = Type.Union([
  Type.Literal("admin"),
  Type.Literal("manager"),
  Type.Literal("clerk"),
  Type.Literal("customer"),
]);

export const User = Type.Object({
  id: Id,
  email: Type.String(),
  name: Type.String(),
  role: Role,
  storeId: Nullable(Id),
  language: Language,
  active: Type.Boolean(),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type User = Static<typeof User>;

/** The caller's own profile, asked with their token. */
export const getMe = endpoint({
  method: "GET",
  path: "/api/identity/me",
  responses: { 200: User },
  errors: ["user_not_found"],
});

export const endpoints = { getMe };
