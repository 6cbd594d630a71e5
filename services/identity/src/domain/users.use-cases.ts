import type { Role } from "@comptoir/contracts";
import { type Db, ForbiddenError, InvalidError, newId, type Outbox, withTx } from "@comptoir/platform";
import * as refreshRepo from "../db/refresh-tokens.repo";
import * as users from "../db/users.repo";
import { translateUserWriteError } from "./auth.use-cases";
import { userNotFound } from "./me.use-cases";
import { assertPasswordPolicy, hashPassword } from "./passwords";
import { type Language, normalizeEmail, snapshotOf, type User, type UserField, withoutSecret } from "./user";
import { revokeUserAccess } from "./revocations.use-cases";
import type { IdentitySettings } from "./settings";

export interface UsersDeps {
  db: Db;
  outbox: Outbox;
  settings: IdentitySettings;
}

export interface ListUsersInput extends users.UserFilter {
  page: number;
  limit: number;
}

export interface UserPage {
  data: User[];
  pagination: { page: number; limit: number; total: number };
}

export async function listUsers(deps: UsersDeps, input: ListUsersInput): Promise<UserPage> {
  const { page, limit, ...filter } = input;
  const { users: data, total } = await users.listUsers(deps.db, filter, { limit, offset: (page - 1) * limit });
  return { data, pagination: { page, limit, total } };
}

export async function getUser(deps: UsersDeps, id: string): Promise<User> {
  const user = await users.findUser(deps.db, id);
  if (!user) throw userNotFound(id);
  return withoutSecret(user);
}

const storeNotAllowed = () =>
  new InvalidError("store_not_allowed", "Only staff (admin, manager, clerk) can be attached to a store.", {
    errors: [{ in: "body", field: "storeId", message: "must be null for a customer" }],
  });

export interface CreateUserInput {
  name: string;
  email: string;
  password: string;
  role: Role;
  storeId?: string | null;
  language?: Language;
}

/** An admin creates an account, typically staff: identity.user.registered, as for a sign-up. */
export async function createUser(deps: UsersDeps, input: CreateUserInput): Promise<User> {
  const email = normalizeEmail(input.email);
  const storeId = input.storeId ?? null;
  if (input.role === "customer" && storeId) throw storeNotAllowed();
  assertPasswordPolicy(input.password, email);
  const passwordHash = await hashPassword(input.password);
  try {
    return await withTx(deps.db, async (tx) => {
      const user = withoutSecret(
        await users.insertUser(tx, {
          id: newId(),
          email,
          name: input.name.trim(),
          passwordHash,
          role: input.role,
          storeId,
          language: input.language ?? "fr",
        }),
      );
      await deps.outbox.publish(tx, { type: "identity.user.registered", subject: user.id, data: snapshotOf(user) });
      return user;
    });
  } catch (error) {
    throw translateUserWriteError(error);
  }
}

export interface UpdateUserInput {
  name?: string;
  role?: Role;
  active?: boolean;
  storeId?: string | null;
}

/**
 * An admin changes a user's name, role, store or active flag. Nobody changes their own role or
 * deactivates themself (there is always another admin to do it, and no one locks themself out).
 *
 * Deactivating revokes every refresh token at once, and a deactivation or a new role or store puts
 * the user's access tokens issued so far on the revocation list: every verifier refuses them within
 * seconds (services verify tokens locally; they read the list every 2 seconds). After a role or store
 * change the next refresh gives a token with the new claims.
 */
export async function updateUser(deps: UsersDeps, actorId: string, id: string, input: UpdateUserInput): Promise<User> {
  return withTx(deps.db, async (tx) => {
    const current = await users.findUserForUpdate(tx, id);
    if (!current) throw userNotFound(id);
    if (id === actorId && input.role !== undefined && input.role !== current.role) {
      throw new ForbiddenError("You cannot change your own role.", "cannot_change_own_role");
    }
    if (id === actorId && input.active === false) {
      throw new ForbiddenError("You cannot deactivate your own account.", "cannot_deactivate_self");
    }

    const changes: users.UserChanges = {};
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
      // Becoming a customer leaves the store; a customer cannot be given one.
      if (input.storeId) throw storeNotAllowed();
      storeId = null;
    }
    if (storeId !== current.storeId) {
      changes.storeId = storeId;
      changedFields.push("storeId");
    }
    const deactivating = input.active === false && current.active;
    if (input.active !== undefined && input.active !== current.active) changes.active = input.active;
    if (Object.keys(changes).length === 0) return withoutSecret(current);

    const updated = withoutSecret(await users.updateUser(tx, id, changes));
    if (deactivating || changes.role !== undefined || changes.storeId !== undefined) {
      await revokeUserAccess(tx, deps.settings, id);
    }
    if (deactivating) {
      await refreshRepo.revokeUserTokens(tx, id);
      await deps.outbox.publish(tx, {
        type: "identity.user.deactivated",
        subject: id,
        data: { ...snapshotOf(updated), active: false, deactivatedBy: actorId },
      });
    } else if (changes.active === true) {
      changedFields.push("active");
    }
    if (changedFields.length > 0) {
      await deps.outbox.publish(tx, {
        type: "identity.user.updated",
        subject: id,
        data: { ...snapshotOf(updated), changedFields, updatedBy: actorId },
      });
    }
    return updated;
  });
}
