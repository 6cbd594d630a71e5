import { identityHttp } from "@comptoir/contracts/http";
import { ForbiddenError, InvalidError, type Static } from "@comptoir/platform";

// What other services read of a user is identity's HTTP contract (GET /api/identity/me).
export const Language = identityHttp.Language;
export type Language = Static<typeof Language>;
export const Role = identityHttp.Role;
/** A user as the API shows it: never the password hash. */
export const User = identityHttp.User;
export type User = identityHttp.User;

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

export const storeNotAllowed = () =>
  new InvalidError("store_not_allowed", "Only staff (admin, manager, clerk) can be attached to a store.", {
    errors: [{ in: "body", field: "storeId", message: "must be null for a customer" }],
  });

/** What an admin may change of a user. */
export type AdminUserChanges = Partial<Pick<User, "name" | "role" | "active" | "storeId">>;

export interface UserChangePlan {
  /** Only what differs from the current state; empty when the request changes nothing. */
  changes: AdminUserChanges;
  /** The fields `identity.user.updated` names (a deactivation is its own event). */
  changedFields: UserField[];
  /** The user goes from active to inactive. */
  deactivating: boolean;
}

/**
 * An admin's change to a user, decided on the user's current state. Nobody changes their own role
 * or deactivates themself (403: there is always another admin to do it, and no one locks themself
 * out); a customer has no store (400), and becoming a customer leaves the store.
 */
export function planUserChange(
  current: User,
  actorId: string,
  input: { name?: string; role?: User["role"]; active?: boolean; storeId?: string | null },
): UserChangePlan {
  if (current.id === actorId && input.role !== undefined && input.role !== current.role) {
    throw new ForbiddenError("You cannot change your own role.", "cannot_change_own_role");
  }
  if (current.id === actorId && input.active === false) {
    throw new ForbiddenError("You cannot deactivate your own account.", "cannot_deactivate_self");
  }
  const changes: AdminUserChanges = {};
  const changedFields: UserField[] = [];
  const name = input.name?.trim();
  if (name !== undefined && name !== current.name) {
    changes.name = name;
    changedFields.push("name");
  }
  if (input.role !== undefined && input.role !== current.role) {
    changes.role = input.role;
    changedFields.push("role");
  }
  const role = input.role ?? current.role;
  let storeId = input.storeId === undefined ? current.storeId : input.storeId;
  if (role === "customer" && storeId !== null) {
    if (input.storeId) throw storeNotAllowed();
    storeId = null;
  }
  if (storeId !== current.storeId) {
    changes.storeId = storeId;
    changedFields.push("storeId");
  }
  const deactivating = input.active === false && current.active;
  if (input.active !== undefined && input.active !== current.active) {
    changes.active = input.active;
    // A reactivation is an update; a deactivation is announced by identity.user.deactivated.
    if (input.active) changedFields.push("active");
  }
  return { changes, changedFields, deactivating };
}
