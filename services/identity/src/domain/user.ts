import type { Role } from "@comptoir/contracts";

export type Language = "fr" | "en";

/** A user as the API shows it: never the password hash. */
export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  storeId: string | null;
  language: Language;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface UserWithSecret extends User {
  passwordHash: string;
}

export type UserField = "email" | "name" | "role" | "storeId" | "language" | "active";

/** The state other services keep of a user (the payload of identity.user.* events). */
export function snapshotOf(user: User) {
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    storeId: user.storeId,
    language: user.language,
    active: user.active,
  };
}

/** E-mails compare and store lower-cased, without surrounding spaces. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function withoutSecret({ passwordHash: _secret, ...user }: UserWithSecret): User {
  return user;
}
